// Ownership-aware zombie reaper. It never waits for "any child": that steals Bun's own children and Bun
// then dies of ECHILD (reference/bun.md §3). It peeks with waitid(WNOWAIT) and reaps only pids that
// the spawn wrapper does not own; when an owned zombie hides others, it falls back to a /proc scan.
import { readdirSync, readFileSync } from "node:fs";
import { libc } from "../sys/libc.ts";
import { owned } from "./spawn.ts";

const P_ALL = 0, WEXITED = 4, WNOHANG = 1, WNOWAIT = 0x01000000;

/** Reaps orphans re-parented to this process; counts what it reaped. */
export class Reaper {
  reaped = 0;
  private timer?: ReturnType<typeof setInterval>;
  private readonly si = new Int32Array(32);
  private readonly st = new Int32Array(1);

  /** Reap on SIGCHLD and on a timer (SIGCHLD can coalesce or be consumed by Bun). */
  start(intervalMs = 250): void {
    process.on("SIGCHLD", () => this.reap());
    this.timer = setInterval(() => this.reap(), intervalMs);
  }

  /** Stop the timer (tests). */
  stop(): void {
    clearInterval(this.timer);
  }

  /** Reap every non-owned zombie child available now. Returns how many were reaped. */
  reap(): number {
    let n = 0;
    for (;;) {
      this.si.fill(0);
      if (libc().waitid(P_ALL, 0, this.si, WEXITED | WNOHANG | WNOWAIT) !== 0) break;
      const pid = this.si[4]; // siginfo_t.si_pid: byte offset 16 on x86-64 and arm64
      if (pid === 0) break;
      if (owned.has(pid)) { n += this.scan(); break; }
      if (libc().waitpid(pid, this.st, WNOHANG) === pid) n++;
      else break;
    }
    this.reaped += n;
    return n;
  }

  /** Scan /proc for zombie children that are not owned and reap them one by one. */
  private scan(): number {
    const self = String(process.pid);
    let n = 0;
    let entries: string[];
    try { entries = readdirSync("/proc"); } catch { return 0; }
    for (const e of entries) {
      if (!/^\d+$/.test(e) || owned.has(Number(e))) continue;
      let stat: string;
      try { stat = readFileSync(`/proc/${e}/stat`, "utf8"); } catch { continue; }
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (f[0] === "Z" && f[1] === self && libc().waitpid(Number(e), this.st, WNOHANG) === Number(e)) n++;
    }
    return n;
  }
}
