// The network boot phase and the `net` command: config → desired state → rtnetlink, sysctls, resolv.conf.
import type { AgentConfig } from "../config/schema.ts";
import { registerCommand } from "../console/commands.ts";
import type { Logger } from "../log.ts";
import { Rtnl } from "../netlink/rtnl.ts";
import { ensureSysctls, routerSysctls } from "../sys/sysctl.ts";
import { applyNet } from "./apply.ts";
import { findLink, type NetDesired } from "./plan.ts";
import { writeResolv } from "./resolv.ts";
import { renderNet, snapshot } from "./show.ts";

/** Desired network state from config. The guard is on exactly when accept-routes is. */
export function desiredFromConfig(c: AgentConfig): NetDesired {
  return { iface: c.net.iface, mtu: c.net.mtu, addr: c.net.ip, gateway: c.net.gw, lan: c.net.lan, guard: c.tailscale.enabled && c.tailscale.accept_routes };
}

/** Bring the network to the configured state; returns a one-line summary. Throws on errors, after doing what it could. */
export function setupNetwork(c: AgentConfig, log: Logger, root = "/"): string {
  const rtnl = new Rtnl();
  try {
    const want = desiredFromConfig(c);
    const res = applyNet(rtnl, want);
    for (const d of res.done) log.info("net", d);
    const nic = findLink(rtnl.links(), c.net.iface);
    if (c.tailscale.enabled) {
      const s = ensureSysctls(routerSysctls(nic.name));
      for (const k of s.changed) log.info("net", `sysctl ${k} set`);
      for (const k of s.skipped) log.warn("net", `sysctl ${k} absent (kernel without it); skipped`);
    }
    if (writeResolv(c.net.dns, root)) log.info("net", `resolv.conf: ${c.net.dns.join(", ")}`);
    if (res.errors.length) throw new Error(res.errors.join("; "));
    return `${nic.name} ${c.net.ip.addr}/${c.net.ip.len} mtu ${c.net.mtu}${c.net.gw ? ` via ${c.net.gw}` : ""}; ${res.done.length} change(s)${want.guard ? "; LAN guard on" : ""}`;
  } finally {
    rtnl.close();
  }
}

/** Register `net [--json]`. */
export function registerNetCommand(): void {
  registerCommand({
    name: "net", usage: "net [--json]", summary: "links, addresses, routes (main, 52), rules, forwarding sysctls",
    run: (_st, a) => {
      const rtnl = new Rtnl();
      try {
        const s = snapshot(rtnl);
        return { ok: true, text: a.includes("--json") ? JSON.stringify(s, null, 2) : renderNet(s) };
      } finally {
        rtnl.close();
      }
    },
  });
}
