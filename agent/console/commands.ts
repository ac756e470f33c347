// The one command table, shared by the control socket (`ctl`) and the serial console.
import { formatConfig } from "../config/redact.ts";
import { errMsg } from "../errors.ts";
import type { AgentState } from "../state.ts";
import { VERSION } from "../version.ts";
import { duration, nearest, table } from "./format.ts";

/** What a command returns: ok decides the ctl exit code; text is printed as is. */
export interface CmdResult {
  ok: boolean;
  text: string;
  /** Streaming commands (logs -f): subscribe, get lines until the returned function is called. */
  follow?: (emit: (line: string) => void) => () => void;
}

/** One command in the table. */
export interface Command {
  name: string;
  usage: string;
  summary: string;
  hidden?: boolean;
  run: (st: AgentState, args: string[]) => Promise<CmdResult> | CmdResult;
}

const ok = (text: string): CmdResult => ({ ok: true, text });
const fail = (text: string): CmdResult => ({ ok: false, text });

/** status --json body (DESIGN §5). */
export function statusJson(st: AgentState): Record<string, unknown> {
  const out: Record<string, unknown> = {
    role: st.config?.role ?? null,
    hostname: st.config?.hostname ?? null,
    version: VERSION,
    pid1: st.pid1,
    uptime_ms: Date.now() - st.startedAt,
    config: { ok: st.configProblems.length === 0, file: st.configFile ?? null, problems: st.configProblems },
    boot: { phases: st.phases },
    services: st.sup.status().map((s) => ({ ...s })),
    shutting_down: st.shuttingDown,
  };
  for (const [name, fn] of st.sections) {
    try { out[name] = fn(); } catch (e) { out[name] = { error: errMsg(e) }; }
  }
  if (!("tailscale" in out)) out.tailscale = null;
  return out;
}

function statusText(st: AgentState): string {
  const j = statusJson(st) as any;
  const lines = [
    `role ${j.role ?? "?"}  host ${j.hostname ?? "?"}  pid1 ${j.pid1 ? "yes" : "no"}  up ${duration(j.uptime_ms)}  agent ${VERSION}`,
  ];
  if (st.configProblems.length) {
    lines.push(`config: INVALID, no services started (${st.configProblems.length} problem${st.configProblems.length > 1 ? "s" : ""}):`);
    for (const p of st.configProblems) lines.push(`  ${p}`);
    lines.push("  hint: fix /etc/sovereign/agent.toml or the sovereign.* kernel parameters, check with `sovereign-agent config-check`, then reboot");
  } else {
    lines.push(`config: ok${st.configFile ? ` (${st.configFile})` : " (built-in defaults)"}`);
  }
  const bad = j.boot.phases.filter((p: any) => !p.ok);
  lines.push(`boot: ${j.boot.phases.length} phases, ${bad.length ? `${bad.length} FAILED: ${bad.map((p: any) => `${p.name} (${p.error})`).join("; ")}` : "all ok"}`);
  for (const p of j.boot.phases) lines.push(`  ${p.ok ? "ok  " : "FAIL"} ${p.name.padEnd(12)} ${String(p.ms).padStart(8)} ms${p.note ? `  ${p.note}` : ""}${p.error ? `  ${p.error}` : ""}`);
  if (j.services.length) {
    lines.push("services:");
    lines.push(table(["  NAME", "STATE", "PID", "RESTARTS", "UPTIME", "NOTE"],
      j.services.map((s: any) => [`  ${s.name}`, s.state, s.pid ?? "-", s.restarts, duration(s.uptime_ms),
        s.next_start_in_ms !== null ? `${s.note}; next start in ${duration(s.next_start_in_ms)}` : s.note || ""])));
  } else {
    lines.push("services: none");
  }
  if (st.shuttingDown) lines.push("shutting down");
  return lines.join("\n");
}

function needService(st: AgentState, args: string[], usage: string): string {
  const name = args[0];
  if (!name) throw new Error(`usage: ${usage}`);
  if (!st.sup.has(name)) {
    const names = st.sup.status().map((s) => s.name);
    throw new Error(`find service ${name}: not defined (services: ${names.join(", ") || "none"})`);
  }
  return name;
}

/** Every command, in help order. */
export const COMMANDS: Command[] = [
  { name: "help", usage: "help", summary: "list commands", run: () => ok(helpText()) },
  { name: "status", usage: "status [--json]", summary: "role, boot phases, config and services", run: (st, a) => ok(a.includes("--json") ? JSON.stringify(statusJson(st), null, 2) : statusText(st)) },
  { name: "version", usage: "version", summary: "agent version", run: () => ok(`sovereign-agent ${VERSION} (bun ${Bun.version}, ${process.arch})`) },
  { name: "config", usage: "config", summary: "effective config, secrets redacted", run: (st) => st.config ? ok(formatConfig(st.config)) : fail(`config invalid:\n  ${st.configProblems.join("\n  ")}`) },
  {
    name: "start", usage: "start SERVICE", summary: "start a service (clears a failed state)",
    run: (st, a) => { const n = needService(st, a, "start SERVICE"); st.sup.start(n); return ok(`${n}: start requested`); },
  },
  {
    name: "stop", usage: "stop SERVICE", summary: "stop a service (its stop signal, then SIGKILL at the deadline)",
    run: async (st, a) => { const n = needService(st, a, "stop SERVICE"); await st.sup.stop(n); return ok(`${n}: stopped`); },
  },
  {
    name: "restart", usage: "restart SERVICE", summary: "stop, then start a service",
    run: async (st, a) => { const n = needService(st, a, "restart SERVICE"); await st.sup.restart(n); return ok(`${n}: restarted`); },
  },
  {
    name: "logs", usage: "logs SERVICE|agent [N] [-f]", summary: "recent output of a service (or the agent); -f follows",
    run: (st, a) => {
      const follow = a.includes("-f");
      const rest = a.filter((x) => x !== "-f");
      const ring = rest[0] === "agent" ? st.log.agentRing : st.log.ring(needService(st, rest, "logs SERVICE [N] [-f]"));
      const n = rest[1] !== undefined ? Number(rest[1]) : 50;
      if (!Number.isInteger(n) || n < 0) return fail(`logs: ${JSON.stringify(rest[1])} is not a line count (want a whole number)`);
      const res: CmdResult = ok(ring.tail(n).join("\n"));
      if (follow) res.follow = (emit) => { ring.followers.add(emit); return () => ring.followers.delete(emit); };
      return res;
    },
  },
  {
    name: "deaths", usage: "deaths SERVICE", summary: "when and how a service died, with its last lines",
    run: (st, a) => {
      const n = needService(st, a, "deaths SERVICE");
      const d = st.sup.deaths(n);
      if (!d.length) return ok(`${n}: no deaths`);
      return ok(d.map((x, i) => `#${i + 1} ${x.at} ran ${duration(x.ran_ms)} ${x.signal ? `killed by ${x.signal}` : `exit ${x.code}`} (status ${x.status})${x.last.length ? "\n    " + x.last.join("\n    ") : ""}`).join("\n"));
    },
  },
  { name: "poweroff", usage: "poweroff", summary: "stop services in order and power off", run: (st) => { st.requestShutdown("poweroff", "poweroff command"); return ok("powering off"); } },
  { name: "reboot", usage: "reboot", summary: "stop services in order and reboot", run: (st) => { st.requestShutdown("reboot", "reboot command"); return ok("rebooting"); } },
  // Fault injection for the PID-1 robustness tests; only with console.debug_shell enabled.
  { name: "_throw", usage: "_throw", summary: "debug: throw from a handler", hidden: true, run: (st) => { if (!st.config?.console.debug_shell) return fail("_throw: needs sovereign.debug_shell=1"); throw new Error("injected handler failure"); } },
  {
    name: "_reject", usage: "_reject", summary: "debug: unhandled rejection", hidden: true,
    run: (st) => { if (!st.config?.console.debug_shell) return fail("_reject: needs sovereign.debug_shell=1"); void Promise.reject(new Error("injected unhandled rejection")); return ok("rejected"); },
  },
];

/** Add a command to the table (subsystems register theirs at start-up). */
export function registerCommand(c: Command): void {
  const i = COMMANDS.findIndex((x) => x.name === c.name);
  if (i >= 0) COMMANDS[i] = c; else COMMANDS.splice(COMMANDS.length - 4, 0, c);
}

/** help text: every visible command with its one-line summary. */
export function helpText(): string {
  const vis = COMMANDS.filter((c) => !c.hidden);
  const w = Math.max(...vis.map((c) => c.usage.length));
  return vis.map((c) => `${c.usage.padEnd(w)}  ${c.summary}`).join("\n");
}

/** Run one command line; never throws. */
export async function runCommand(st: AgentState, argv: string[]): Promise<CmdResult> {
  const [name, ...args] = argv;
  if (!name) return ok("");
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    const near = nearest(name, COMMANDS.filter((c) => !c.hidden).map((c) => c.name));
    return fail(`unknown command ${JSON.stringify(name.slice(0, 40))}${near ? `; did you mean '${near}'?` : ""} (try 'help')`);
  }
  try {
    return await cmd.run(st, args);
  } catch (e) {
    st.log.warn("console", `command ${name} failed: ${errMsg(e)}`);
    return fail(errMsg(e));
  }
}
