// Wiring: the tailscale boot phase, the `ts` command, status --json .tailscale, and diag rows.
import { registerCommand } from "../../console/commands.ts";
import { registerDiag, type DiagLine } from "../../console/diag.ts";
import type { AgentConfig } from "../../config/schema.ts";
import { markedConnect } from "../../net/markprobe.ts";
import type { AgentState } from "../../state.ts";
import { renderTs, TailscaleController } from "./controller.ts";

let controller: TailscaleController | undefined;

/** Boot phase: start tailscaled under supervision (SQL VM, tailscale.enabled). */
export function tailscalePhase(st: AgentState): string {
  const c = st.config!;
  if (!c.tailscale.enabled) return "skipped: tailscale.enabled = false";
  controller = new TailscaleController(c, st.log, st.sup);
  controller.start();
  st.sections.set("tailscale", () => {
    const v = controller!.view();
    return { backend_state: v.backend_state, ips: v.ips, advertised_routes: v.advertised_routes, approved_routes: v.approved_routes, ...(v.auth_url ? { auth_url: v.auth_url } : {}), health: v.health, next_action: v.next_action, ...(v.last_error ? { last_error: v.last_error } : {}) };
  });
  return `tailscaled starting (advertise ${c.tailscale.advertise_routes.join(",")})`;
}

/** diag rows: marked-socket reachability of our own and the peer VM's services. */
export function markDiag(c: AgentConfig): DiagLine[] {
  const targets = [...c.firewall.tcp_ports.map((p) => `${c.net.ip.addr}:${p}`), ...c.net.peers];
  return targets.map((t) => {
    const [ip, port] = [t.slice(0, t.lastIndexOf(":")), Number(t.slice(t.lastIndexOf(":") + 1))];
    const r = markedConnect(ip, port);
    return {
      check: `so_mark:${t}`, ok: r.routed, detail: r.detail,
      hint: "policy routing sends tailscaled-marked traffic into the tunnel: rule `5210: fwmark 0x80000/0xff0000 lookup main` is missing (see `net`; tailscaled restores it) or the main table lacks a route",
    };
  });
}

/** Register `ts [--json]` and the tailscale diag rows. */
export function registerTailscale(): void {
  registerCommand({
    name: "ts", usage: "ts [--json]", summary: "tailscale: state, IPs, advertised vs approved routes, health, next action",
    run: (st, a) => {
      if (!controller && st.config?.tailscale.enabled && !st.phases.some((p) => p.name === "tailscale")) return { ok: false, text: "ts: tailscale has not started yet (boot in progress; see status)" };
      if (!controller) return { ok: false, text: `tailscale is not enabled on this VM (role ${st.config?.role ?? "?"}; sovereign.tailscale=on enables it)` };
      const v = controller.view();
      return { ok: true, text: a.includes("--json") ? JSON.stringify(v, null, 2) : renderTs(v) };
    },
  });
  registerDiag("tailscale", (st) => {
    if (!st.config?.tailscale.enabled || !controller) return [];
    const v = controller.view();
    return [
      { check: "tailscale:state", ok: v.backend_state === "Running", detail: `${v.backend_state}${v.ips.length ? ` ${v.ips.join(", ")}` : ""}`, hint: v.next_action },
      { check: "tailscale:routes", ok: v.backend_state === "Running" && v.pending_routes.length === 0, detail: `approved ${v.approved_routes.join(", ") || "none"} of ${v.advertised_routes.join(", ")}`, hint: v.next_action },
      { check: "tailscale:health", ok: v.health.length === 0, detail: v.health.join("; ") || "ok", hint: "see `ts`" },
    ];
  });
  registerDiag("so_mark", (st) => (st.config?.net.enabled ? markDiag(st.config) : []));
}
