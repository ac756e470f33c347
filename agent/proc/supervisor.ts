// Generic supervisor: dependencies that wait for readiness, restart with exponential backoff, a death
// tally, a failed state after N deaths in T, and per-service stop signal + deadline (DESIGN §4).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServiceConfig } from "../config/schema.ts";
import { errMsg } from "../errors.ts";
import type { Logger } from "../log.ts";
import { NotifySocket } from "./notify.ts";
import { probeOnce } from "./readiness.ts";
import { DEFAULT_PATH, readLines, spawnChild, type Child, type ExitInfo } from "./spawn.ts";
import { resolveIdentity } from "./users.ts";
import { oomKilled } from "../sys/kmsg.ts";

export type SvcState = "stopped" | "starting" | "ready" | "backoff" | "failed";

/** One recorded death. */
export interface Death { at: string; ran_ms: number; status: number; code: number | null; signal: string | null; last: string[] }

/** Role-specific behaviour a service can plug in (first-boot setup, protocol probes). */
export interface ServiceHooks {
  /** Runs before every start; throwing counts as a failed start (with the message as the cause).
   *  The signal aborts when the service is stopped meanwhile (long waits must honour it). */
  prestart?: (signal: AbortSignal) => Promise<void>;
  /** A protocol-level readiness probe, used when ready = "none" is not wanted. */
  probe?: () => Promise<boolean>;
  /** Called each time the service becomes ready (e.g. re-apply tailscale prefs after a restart). */
  onReady?: () => void;
  /** Extra fds for the child, passed as 3, 4, ... */
  extraFds?: number[];
  /** Signals between the stop signal and the final SIGKILL, e.g. PostgreSQL's SIGQUIT. */
  stopEscalation?: { signal: NodeJS.Signals; afterMs: number }[];
}

/** The public view of a service (status --json). */
export interface ServiceStatus {
  name: string; state: SvcState; pid: number | null; restarts: number; uptime_ms: number | null;
  ready: boolean; last_exit: { status: number; code: number | null; signal: string | null } | null;
  note: string; next_start_in_ms: number | null;
}

interface Svc {
  cfg: ServiceConfig; hooks: ServiceHooks; state: SvcState; wantUp: boolean; note: string;
  child?: Child; startedAt: number; restarts: number; consecutive: number; deaths: Death[];
  lastExit?: ExitInfo; gen: number; timer?: ReturnType<typeof setTimeout>; nextStartAt?: number;
  notify?: NotifySocket; stopping?: Promise<void>; abort?: AbortController;
}

/** Options that locate the supervisor's helpers. */
export interface SupervisorOptions { root: string; runDir: string; setpriv: string; readKmsg?: () => boolean }

/** Supervises a set of named services. */
export class Supervisor {
  private readonly svcs = new Map<string, Svc>();
  constructor(private readonly log: Logger, private readonly opts: SupervisorOptions) {}

  /** Register a service (not started). */
  add(cfg: ServiceConfig, hooks: ServiceHooks = {}): void {
    this.svcs.set(cfg.name, { cfg, hooks, state: "stopped", wantUp: false, note: "", startedAt: 0, restarts: 0, consecutive: 0, deaths: [], gen: 0 });
  }

  /** Names in dependency order (dependencies first). */
  order(): string[] {
    const out: string[] = [], seen = new Set<string>();
    const visit = (n: string, path: string[]) => {
      if (seen.has(n) || path.includes(n)) return;
      for (const d of this.svcs.get(n)?.cfg.depends_on ?? []) visit(d, [...path, n]);
      seen.add(n); out.push(n);
    };
    for (const n of this.svcs.keys()) visit(n, []);
    return out;
  }

  /** Start every autostart service; dependents wait for their dependencies' readiness. */
  startAll(): void {
    for (const n of this.order()) if (this.svcs.get(n)!.cfg.autostart) this.start(n);
  }

  /** Ask for a service to run. A failed service gets a fresh death tally. */
  start(name: string): void {
    const s = this.get(name);
    s.wantUp = true;
    if (s.state === "failed") { s.deaths = []; s.consecutive = 0; }
    if (!s.child && s.state !== "backoff") this.tryStart(s);
  }

  /** Stop a service: stop signal, then SIGKILL to its process group at the deadline. */
  async stop(name: string): Promise<void> {
    const s = this.get(name);
    s.wantUp = false;
    clearTimeout(s.timer);
    s.abort?.abort();
    s.nextStartAt = undefined;
    if (!s.child) { s.state = "stopped"; s.note = ""; return; }
    s.stopping ??= this.kill(s).finally(() => { s.stopping = undefined; });
    return s.stopping;
  }

  /** Stop then start. */
  async restart(name: string): Promise<void> {
    await this.stop(name);
    this.start(name);
  }

  /** True once stopAll began: helpers killed by the shutdown sweep are expected to fail quietly. */
  stopping = false;

  /** Stop everything in reverse dependency order, each with its own signal and deadline. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const n of this.order().reverse()) await this.stop(n);
  }

  /** Status of every service, in dependency order. */
  status(): ServiceStatus[] {
    return this.order().map((n) => {
      const s = this.svcs.get(n)!;
      const now = Date.now();
      return {
        name: n, state: s.state, pid: s.child?.pid ?? null, restarts: s.restarts,
        uptime_ms: s.child ? now - s.startedAt : null, ready: s.state === "ready",
        last_exit: s.lastExit ? { status: s.lastExit.status, code: s.lastExit.code, signal: s.lastExit.signal } : null,
        note: s.note, next_start_in_ms: s.nextStartAt ? Math.max(0, s.nextStartAt - now) : null,
      };
    });
  }

  /** The death tally of a service, oldest first. */
  deaths(name: string): Death[] {
    return [...this.get(name).deaths];
  }

  /** True when the named service exists. */
  has(name: string): boolean {
    return this.svcs.has(name);
  }

  private get(name: string): Svc {
    const s = this.svcs.get(name);
    if (!s) throw new Error(`find service ${name}: not defined (defined: ${[...this.svcs.keys()].join(", ") || "none"})`);
    return s;
  }

  private tryStart(s: Svc): void {
    if (!s.wantUp || s.child) return;
    const waiting = s.cfg.depends_on.filter((d) => this.svcs.get(d)?.state !== "ready");
    if (waiting.length) {
      if (s.note !== `waiting for ${waiting.join(", ")}`) this.log.info(s.cfg.name, `waiting for ${waiting.join(", ")} to be ready`);
      s.state = "starting";
      s.note = `waiting for ${waiting.join(", ")}`;
      return;
    }
    void this.launch(s);
  }

  private async launch(s: Svc): Promise<void> {
    const gen = ++s.gen;
    const name = s.cfg.name;
    s.state = "starting";
    s.note = "";
    s.startedAt = Date.now();
    let child: Child;
    try {
      if (s.hooks.prestart) {
        s.note = "setting up";
        s.abort = new AbortController();
        await s.hooks.prestart(s.abort.signal);
        if (gen !== s.gen || !s.wantUp) return;
        s.note = "";
      }
      const id = resolveIdentity(s.cfg.user, s.cfg.groups, this.opts.root);
      const env: Record<string, string> = { PATH: DEFAULT_PATH, HOME: id.home, USER: id.name, LOGNAME: id.name, ...s.cfg.env };
      if (s.cfg.ready.kind === "notify") {
        s.notify?.close();
        s.notify = new NotifySocket(join(this.opts.runDir, "notify", `${name}.sock`), id.uid, id.gid);
        env.NOTIFY_SOCKET = s.notify.path;
        s.notify.listen((f) => { if (f.get("READY") === "1" && gen === s.gen) this.markReady(s); if (f.has("STATUS")) s.note = f.get("STATUS")!; });
      }
      child = spawnChild({ argv: s.cfg.command, env, cwd: s.cfg.cwd, identity: id, nofile: s.cfg.nofile, setpriv: this.opts.setpriv, extraFds: s.hooks.extraFds });
    } catch (e) {
      this.log.error(name, `start ${name}: ${errMsg(e)}`);
      this.onExit(s, { code: null, signal: null, status: 127 }, gen, errMsg(e));
      return;
    }
    s.child = child;
    this.log.info(name, `started pid ${child.pid}: ${s.cfg.command.join(" ")}`);
    if (child.stdout) void readLines(child.stdout, (l) => this.log.serviceLine(name, "out", l));
    if (child.stderr) void readLines(child.stderr, (l) => this.log.serviceLine(name, "err", l));
    void child.exited.then((info) => this.onExit(s, info, gen));
    void this.awaitReady(s, gen);
  }

  private async awaitReady(s: Svc, gen: number): Promise<void> {
    const spec = s.cfg.ready;
    if (spec.kind === "notify") return;
    if (spec.kind === "none" && !s.hooks.probe) { this.markReady(s); return; }
    const deadline = Date.now() + s.cfg.ready_timeout_ms;
    let warned = false, delay = 50;
    while (gen === s.gen && s.child && s.state === "starting") {
      const ok = s.hooks.probe ? await s.hooks.probe().catch(() => false)
        : await probeOnce(spec, { cwd: "/", env: { PATH: DEFAULT_PATH } });
      if (gen !== s.gen || !s.child) return;
      if (ok) { this.markReady(s); return; }
      if (!warned && Date.now() > deadline) {
        warned = true;
        this.log.warn(s.cfg.name, `not ready after ${Math.round(s.cfg.ready_timeout_ms / 1000)}s; still waiting (hint: logs ${s.cfg.name})`);
      }
      await Bun.sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  }

  private markReady(s: Svc): void {
    if (s.state !== "starting" || !s.child) return;
    s.state = "ready";
    s.note = "";
    this.log.info(s.cfg.name, `ready after ${Date.now() - s.startedAt} ms`);
    try { s.hooks.onReady?.(); } catch (e) { this.log.error(s.cfg.name, `on ready: ${errMsg(e)}`); }
    for (const other of this.svcs.values()) if (other.cfg.depends_on.includes(s.cfg.name)) this.tryStart(other);
  }

  private onExit(s: Svc, info: ExitInfo, gen: number, cause?: string): void {
    if (gen !== s.gen) return;
    // Only a real guest reads kmsg: in a namespace guest it is the host's kernel log (other pids).
    if (info.signal === "SIGKILL" && s.child && this.opts.readKmsg?.() && oomKilled(s.child.pid)) {
      cause = "killed by the kernel's OOM killer (guest RAM too small for this service; see dmesg)";
      this.log.error(s.cfg.name, cause);
    }
    const ran = Date.now() - s.startedAt;
    // Like systemd's control-group kill: whatever the dead main process left in its group goes too,
    // so a restart never races its own orphans (PostgreSQL backends holding shared memory).
    if (s.child && s.wantUp) killGroup(s.child.pid);
    s.child = undefined;
    s.lastExit = info;
    s.notify?.close();
    s.notify = undefined;
    const how = info.signal ? `killed by ${info.signal}` : `exited with status ${info.code ?? info.status}`;
    if (!s.wantUp) {
      s.state = "stopped";
      s.note = "";
      const last = this.log.ring(s.cfg.name).tail(1)[0];
      this.log.info(s.cfg.name, `stopped (${how})${last ? `; last output: ${last.replace(/^(out|err): /, "")}` : ""}`);
      return;
    }
    s.deaths.push({ at: new Date().toISOString(), ran_ms: ran, status: info.status, code: info.code, signal: info.signal, last: cause ? [cause] : this.log.ring(s.cfg.name).tail(5) });
    if (s.deaths.length > 100) s.deaths.shift();
    if (ran >= s.cfg.restart_reset_ms) s.consecutive = 0;
    const recent = s.deaths.filter((d) => Date.parse(d.at) >= Date.now() - s.cfg.fail_window_ms).length;
    if (recent >= s.cfg.fail_max_deaths) {
      s.state = "failed";
      s.note = `${recent} deaths in ${Math.round(s.cfg.fail_window_ms / 1000)}s`;
      this.log.error(s.cfg.name, `failed: ${how}; ${s.note}. Not restarting. Hint: 'deaths ${s.cfg.name}' and 'logs ${s.cfg.name}' show why; fix it, then 'start ${s.cfg.name}'`);
      return;
    }
    const delay = Math.min(s.cfg.restart_initial_ms * 2 ** s.consecutive, s.cfg.restart_max_ms);
    s.consecutive++;
    s.restarts++;
    s.state = "backoff";
    s.note = how;
    s.nextStartAt = Date.now() + delay;
    this.log.warn(s.cfg.name, `${how} after ${ran} ms; restarting in ${delay} ms (death ${recent} of ${s.cfg.fail_max_deaths} allowed in ${Math.round(s.cfg.fail_window_ms / 1000)}s)`);
    s.timer = setTimeout(() => { s.nextStartAt = undefined; s.state = "stopped"; this.tryStart(s); }, delay);
  }

  private async kill(s: Svc): Promise<void> {
    const child = s.child!;
    const pgid = child.pid;
    const name = s.cfg.name;
    this.log.info(name, `stopping pid ${pgid} with ${s.cfg.stop_signal} (deadline ${s.cfg.stop_timeout_ms} ms)`);
    try { process.kill(pgid, s.cfg.stop_signal); } catch { /* already gone */ }
    const steps = (s.hooks.stopEscalation ?? []).map((e) => setTimeout(() => {
      this.log.warn(name, `still running after ${e.afterMs} ms; sending ${e.signal}`);
      try { process.kill(pgid, e.signal); } catch { /* gone */ }
    }, e.afterMs));
    const deadline = setTimeout(() => {
      this.log.warn(name, `did not stop within ${s.cfg.stop_timeout_ms} ms; sending SIGKILL to process group ${pgid}`);
      killGroup(pgid);
    }, s.cfg.stop_timeout_ms);
    await child.exited;
    clearTimeout(deadline);
    for (const t of steps) clearTimeout(t);
    // Leftovers in the group (workers the leader did not take down) go too, like systemd's KillMode=mixed.
    if (groupAlive(pgid)) {
      killGroup(pgid);
      const until = Date.now() + 5000;
      while (groupAlive(pgid) && Date.now() < until) await Bun.sleep(20);
    }
  }
}

/** SIGKILL a whole process group, ignoring ESRCH. */
export function killGroup(pgid: number): void {
  try { process.kill(-pgid, "SIGKILL"); } catch { /* already gone */ }
}

/** True while any process (zombies excluded) is left in the group. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // kill(0) succeeds for zombies too; look for a live member.
  try {
    for (const e of readdirSync("/proc")) {
      if (!/^\d+$/.test(e)) continue;
      try {
        const st = readFileSync(`/proc/${e}/stat`, "utf8");
        const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
        if (Number(f[2]) === pgid && f[0] !== "Z") return true;
      } catch { /* raced with exit */ }
    }
  } catch { return true; }
  return false;
}
