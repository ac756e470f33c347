// Tailscale controller: supervises tailscaled, brings it up as a subnet router after every (re)start,
// watches LocalAPI status, and tells the operator what state it is in and what to do next.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { AgentConfig } from "../../config/schema.ts";
import { errMsg } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { runCapture } from "../../proc/spawn.ts";
import type { Supervisor } from "../../proc/supervisor.ts";
import { pipe } from "../../sys/syscalls.ts";
import { autoApproversSnippet, tailscaledService, upArgs } from "./args.ts";
import { localApi, type TsStatus } from "./localapi.ts";

/** What `ts`, `status --json` (.tailscale) and diag show. */
export interface TsView {
  backend_state: string;
  ips: string[];
  hostname: string;
  advertised_routes: string[];
  approved_routes: string[];
  pending_routes: string[];
  auth_url?: string;
  health: string[];
  last_error?: string;
  tailscaled: string;
  next_action: string;
}

/** Runs the Tailscale side of the SQL VM. */
export class TailscaleController {
  private status?: TsStatus;
  private lastError?: string;
  private shownUrls = new Set<string>();
  private lastState = "";
  private lastReminder = 0;
  private upRunning = false;
  private timer?: ReturnType<typeof setInterval>;
  private readonly deathPipe: [number, number];

  constructor(private readonly c: AgentConfig, private readonly log: Logger, private readonly sup: Supervisor, private readonly pollMs = 1000) {
    this.deathPipe = pipe(); // the agent keeps the write end open forever; tailscaled exits when it closes
  }

  /** Register tailscaled with the supervisor and start watching. */
  start(): void {
    const t = this.c.tailscale;
    mkdirSync(dirname(t.state), { recursive: true, mode: 0o700 });
    mkdirSync(dirname(t.socket), { recursive: true });
    this.registerKey();
    this.sup.add(tailscaledService(this.c), {
      extraFds: [this.deathPipe[0]],
      probe: async () => { try { await localApi(t.socket, "status", 1000); return true; } catch { return false; } },
      onReady: () => { void this.up(); },
    });
    this.sup.start("tailscaled");
    this.timer = setInterval(() => void this.poll(), this.pollMs);
  }

  /** Stop watching (tailscaled itself is stopped by the supervisor). */
  stop(): void {
    clearInterval(this.timer);
  }

  /** Never print the key: register its value with the logger's scrubber. */
  private registerKey(): void {
    try { this.log.addSecret(readFileSync(this.c.tailscale.auth_key_file, "utf8")); } catch { /* no key file */ }
  }

  /** Run `tailscale up` (idempotent: --reset with every flag). */
  private async up(): Promise<void> {
    if (this.upRunning) return;
    this.upRunning = true;
    try {
      this.registerKey();
      const haveKey = existsSync(this.c.tailscale.auth_key_file);
      const argv = upArgs(this.c, haveKey);
      this.log.info("tailscale", `tailscale up ${haveKey ? "with the auth key file" : "without an auth key (interactive login)"}: advertise ${this.c.tailscale.advertise_routes.join(",")}, accept-routes ${this.c.tailscale.accept_routes}`);
      const r = await runCapture({ argv }, (this.c.tailscale.up_timeout_s + 15) * 1000);
      if (this.sup.stopping) return; // killed by the shutdown sweep: not a failure worth a warning
      for (const l of r.stdout.split("\n").filter(Boolean)) this.log.info("tailscale", `up: ${l}`);
      const errs = r.stderr.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("http") && !/^To (authenticate|approve)/.test(l));
      if (r.status === 0) { this.lastError = undefined; this.log.info("tailscale", "up: done"); return; }
      const backend = errs.find((l) => l.startsWith("backend error:"));
      this.lastError = backend ?? errs.find((l) => /timeout|Error|error/.test(l)) ?? `tailscale up exited with status ${r.status}`;
      this.log.warn("tailscale", `up: ${this.lastError}`);
    } catch (e) {
      this.lastError = `run tailscale up: ${errMsg(e)}`;
      this.log.error("tailscale", this.lastError);
    } finally {
      this.upRunning = false;
    }
  }

  /** One watch step: read status, report transitions, URLs and pending routes. */
  async poll(): Promise<void> {
    const svc = this.sup.status().find((s) => s.name === "tailscaled");
    if (svc?.state !== "ready") { this.status = undefined; return; }
    try {
      this.status = await localApi<TsStatus>(this.c.tailscale.socket, "status");
    } catch (e) {
      this.status = undefined;
      this.log.debug("tailscale", errMsg(e));
      return;
    }
    const s = this.status;
    if (s.BackendState !== this.lastState) {
      this.lastState = s.BackendState;
      if (s.BackendState === "Running") this.log.info("tailscale", `running as ${(s.TailscaleIPs ?? []).join(", ")} (${s.Self?.HostName ?? this.c.tailscale.hostname})`);
      else if (s.BackendState === "NeedsMachineAuth") this.log.warn("tailscale", "machine authorization required: an admin must approve this machine in the Tailscale admin console (Machines), or use a pre-authorized key");
      else this.log.info("tailscale", `backend state ${s.BackendState}`);
    }
    if (s.BackendState === "NeedsLogin" && s.AuthURL && !this.shownUrls.has(s.AuthURL)) {
      this.shownUrls.add(s.AuthURL);
      this.log.warn("tailscale", `login required: open ${s.AuthURL} in a browser (or put a pre-authorized key in ${this.c.tailscale.auth_key_file} and 'restart tailscaled')`);
    }
    for (const h of s.Health ?? []) {
      if (/IP forwarding is disabled/.test(h)) this.log.error("tailscale", `health: ${h} (agent bug: forwarding is set in the network phase, before tailscaled starts)`);
    }
    const v = this.view();
    if (s.BackendState === "Running" && v.pending_routes.length && Date.now() - this.lastReminder >= this.c.tailscale.reminder_s * 1000) {
      this.lastReminder = Date.now();
      this.log.warn("tailscale", `awaiting approval of ${v.pending_routes.join(", ")}: approve it in the admin console (Machines → ${this.c.tailscale.hostname} → Edit route settings)`);
      this.log.warn("tailscale", `to make this automatic, add to the tailnet policy: ${autoApproversSnippet(this.c.tailscale.advertise_routes)}`);
      this.log.warn("tailscale", `and use a reusable, pre-authorized auth key tagged tag:sovereign (set tailscale.advertise_tags = ["tag:sovereign"])`);
    }
    if (s.BackendState === "Running" && !v.pending_routes.length && this.lastReminder !== -1) {
      this.lastReminder = -1;
      this.log.info("tailscale", `routes approved: ${v.approved_routes.join(", ")}; tailnet devices can reach ${this.c.net.lan.addr}/${this.c.net.lan.len}`);
    }
  }

  /** The operator's view of the current state. */
  view(): TsView {
    const t = this.c.tailscale;
    const svc = this.sup.status().find((x) => x.name === "tailscaled");
    const s = this.status;
    const approved = s?.Self?.PrimaryRoutes ?? [];
    const pending = t.advertise_routes.filter((r) => !approved.includes(r));
    const v: TsView = {
      backend_state: s?.BackendState ?? "Unknown", ips: s?.TailscaleIPs ?? [], hostname: s?.Self?.HostName ?? t.hostname,
      advertised_routes: t.advertise_routes, approved_routes: approved, pending_routes: s?.BackendState === "Running" ? pending : t.advertise_routes,
      health: s?.Health ?? [], tailscaled: svc ? svc.state : "not started", next_action: "",
    };
    if (s?.BackendState === "NeedsLogin" && s.AuthURL) v.auth_url = s.AuthURL;
    if (this.lastError) v.last_error = this.lastError;
    v.next_action = nextAction(v, t.auth_key_file, this.c.net.lan);
    return v;
  }
}

/** The one thing the operator should do next, given the state. */
export function nextAction(v: TsView, keyFile: string, lan: { addr: string; len: number }): string {
  if (v.tailscaled === "failed") return "tailscaled keeps dying: see `deaths tailscaled` and `logs tailscaled`, fix it, then `start tailscaled`";
  if (v.tailscaled !== "ready") return `wait: tailscaled is ${v.tailscaled} (see \`logs tailscaled\`)`;
  switch (v.backend_state) {
    case "NeedsLogin":
      if (v.last_error?.startsWith("backend error")) return `the auth key was rejected (${v.last_error}): put a valid key in ${keyFile}, then \`restart tailscaled\``;
      return v.auth_url ? `open ${v.auth_url} in a browser to log in (or put a pre-authorized key in ${keyFile} and \`restart tailscaled\`)` : "wait: login URL not yet received";
    case "NeedsMachineAuth": return "an admin must approve this machine in the admin console (Machines), or use a pre-authorized key";
    case "Running":
      if (v.pending_routes.length) return `approve ${v.pending_routes.join(", ")} in the admin console (Machines → ${v.hostname} → Edit route settings), or add autoApprovers for tag:sovereign`;
      return `none: tailnet devices reach ${lan.addr}/${lan.len} through this node`;
    case "Stopped": return "tailscale is stopped: `restart tailscaled`";
    default: return `wait: backend is ${v.backend_state}`;
  }
}

/** Text form for the `ts` command. */
export function renderTs(v: TsView): string {
  return [
    `backend     ${v.backend_state} (tailscaled ${v.tailscaled})`,
    `hostname    ${v.hostname}`,
    `tailnet IPs ${v.ips.join(", ") || "-"}`,
    `advertised  ${v.advertised_routes.join(", ") || "-"}`,
    `approved    ${v.approved_routes.join(", ") || "-"}${v.pending_routes.length && v.backend_state === "Running" ? `  (awaiting approval: ${v.pending_routes.join(", ")})` : ""}`,
    ...(v.auth_url ? [`login URL   ${v.auth_url}`] : []),
    `health      ${v.health.length ? v.health.join("; ") : "ok"}`,
    ...(v.last_error ? [`last error  ${v.last_error}`] : []),
    `next        ${v.next_action}`,
  ].join("\n");
}
