// PostgreSQL under the agent: kill -9 → ready again (minus the configured backoff), and boot →
// ready under the agent against starting postgres directly on the same data directory.
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NsGuest } from "../tests/helpers/guest.ts";
import { scratch } from "../tests/helpers/env.ts";
import { waitFor } from "../tests/helpers/poll.ts";
import { median, row } from "./lib.ts";

const BACKOFF = 100;
const toml = (dir: string) => `role = "sql"\n[log]\nkmsg = false\n[net]\nenabled = false\n[firewall]\nenabled = false\n[tailscale]\nenabled = false\n[postgres]\ndata_dir = "${dir}/pgdata"\nsecrets_dir = "${dir}/secrets"\nforgejo_password_file = "${dir}/config/pw"\nrestart_initial_ms = ${BACKOFF}\nrestart_max_ms = ${BACKOFF}\n`;

function hostPid(prefix: string): number {
  for (const e of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try { if (readFileSync(`/proc/${e}/cmdline`, "utf8").replace(/\0/g, " ").startsWith(prefix)) return Number(e); } catch { /* gone */ }
  }
  throw new Error(`find ${prefix}: none`);
}

// Benchmarks poll every 10 ms with a generous deadline, so a broken step fails instead of hanging.
const until = (what: string, f: () => Promise<boolean>) => waitFor(what, f, 120_000, 10);

/** Run the PostgreSQL benchmarks. */
export async function benchPostgres(): Promise<void> {
  const dir = scratch("benchpg");
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "config"));
  writeFileSync(join(dir, "config/pw"), "benchpassword123\n");
  // Readiness is read from the agent's console log (its "postgres: ready after" line), polled every
  // 10 ms: cheaper and closer than spawning `ctl status` per poll.
  const readyLines = (g: NsGuest) => (g.console().match(/ postgres: ready after /g) ?? []).length;
  // first boot (initdb) is not measured; later boots reuse the cluster
  let g = await NsGuest.boot({ name: "benchpg", toml: toml(dir) });
  await until("first boot: postgres ready", async () => readyLines(g) > 0);
  const recover: number[] = [];
  for (let i = 0; i < 7; i++) {
    const seen = readyLines(g);
    const t0 = performance.now();
    process.kill(hostPid(`/usr/lib/postgresql/15/bin/postgres -D ${dir}/pgdata`), "SIGKILL");
    await until("postgres ready after kill -9", async () => readyLines(g) > seen);
    recover.push(performance.now() - t0 - BACKOFF);
  }
  await g.stop();
  const boots: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    g = await NsGuest.boot({ name: "benchpg", toml: toml(dir) });
    await until("boot: postgres ready", async () => readyLines(g) > 0);
    boots.push(performance.now() - t0);
    await g.stop();
  }
  // the baseline runs as user postgres, so its socket directory must be postgres's
  const sock = join(dir, "sock");
  mkdirSync(sock);
  const id = (flag: string) => Number(Bun.spawnSync(["id", flag, "postgres"]).stdout.toString());
  chownSync(sock, id("-u"), id("-g"));
  const direct: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const p = Bun.spawn(["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", "/usr/lib/postgresql/15/bin/postgres", "-D", `${dir}/pgdata`, "-c", `unix_socket_directories=${sock}`, "-c", "listen_addresses="], { stdout: "ignore", stderr: "pipe" });
    await until("postgres started directly: accepting", async () => {
      if (p.exitCode !== null) throw new Error(`start postgres directly: exited ${p.exitCode}: ${await new Response(p.stderr).text()}`);
      return Bun.spawnSync(["/usr/lib/postgresql/15/bin/pg_isready", "-q", "-h", sock]).exitCode === 0;
    });
    direct.push(performance.now() - t0);
    p.kill("SIGINT");
    await p.exited;
  }
  console.log("postgres (median; namespace guest, real PostgreSQL 15):");
  row(`kill -9 → ready again, minus ${BACKOFF} ms backoff (n=7)`, median(recover), "ms");
  row("postgres started directly → accepting (n=5)", median(direct), "ms");
  row("agent boot → postgres ready (n=5)", median(boots), "ms", { name: "direct", value: median(direct) });
}
