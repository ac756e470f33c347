// Preflight and firewall boot phases, plus their `diag` rows and the `fw` command.
import { registerCommand } from "../console/commands.ts";
import { registerDiag } from "../console/diag.ts";
import { applyFirewall, showFirewall } from "../firewall/apply.ts";
import type { FirewallSpec } from "../firewall/ruleset.ts";
import type { AgentConfig } from "../config/schema.ts";
import type { AgentState } from "../state.ts";
import { runPreflight, type PreflightPort, type ProbeResult } from "./preflight.ts";
import { realPreflightPort } from "./probes.ts";
import { resolveIfaceName } from "../net/setup.ts";

/** Firewall inputs from config. */
export function firewallSpec(c: AgentConfig): FirewallSpec {
  return {
    iface: resolveIfaceName(c), lan: `${c.net.lan.addr}/${c.net.lan.len}`, servicePorts: c.firewall.tcp_ports,
    wgPort: c.tailscale.port, tailscale: c.tailscale.enabled, inputPolicy: c.firewall.input_policy,
  };
}

/** Boot phase: run the probes, log each failure with its CONFIG_ names; never throws on a failed probe. */
export async function preflightPhase(st: AgentState, port?: PreflightPort): Promise<{ results: ProbeResult[]; note: string }> {
  const results = await runPreflight(port ?? realPreflightPort(st.config?.firewall.nft));
  for (const r of results) {
    if (r.ok) st.log.info("preflight", `${r.name}: ok`);
    else st.log.error("preflight", `${r.name}: FAILED: ${r.detail}. Consequence: ${r.consequence}. Hint: ${r.hint}`);
  }
  const bad = results.filter((r) => !r.ok);
  return { results, note: bad.length ? `${bad.length} probe(s) failed: ${bad.map((r) => r.name).join(", ")} (degraded; see diag)` : `${results.length} probes passed` };
}

/** Register preflight rows in diag and the `fw` command. */
export function registerKernelChecks(port?: () => PreflightPort): void {
  registerDiag("kernel", async (st) => (await runPreflight(port?.() ?? realPreflightPort(st.config?.firewall.nft))).map((r) => ({
    check: `kernel:${r.name}`, ok: r.ok, detail: r.ok ? r.detail : `${r.detail} (${r.consequence})`, hint: r.hint,
  })));
  registerCommand({
    name: "fw", usage: "fw", summary: "the live nftables ruleset of our table (inet sovereign)",
    run: async (st) => showFirewall(st.config?.firewall.nft),
  });
}

/** Boot phase: apply our table (skipped when disabled). */
export async function firewallPhase(c: AgentConfig): Promise<string> {
  if (!c.firewall.enabled) return "skipped: firewall.enabled = false";
  return `inet sovereign ${await applyFirewall(firewallSpec(c), c.firewall.nft)} (input policy ${c.firewall.input_policy})`;
}
