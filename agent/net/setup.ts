// The network boot phase and the `net` command: config → desired state → rtnetlink, sysctls, resolv.conf.
import type { AgentConfig } from "../config/schema.ts";
import { registerCommand } from "../console/commands.ts";
import { registerDiag, type DiagLine } from "../console/diag.ts";
import { readSysctl } from "../sys/sysctl.ts";
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

/** The NIC's kernel name (config may name it by MAC). Falls back to the configured string. */
export function resolveIfaceName(c: AgentConfig): string {
  const rtnl = new Rtnl();
  try { return findLink(rtnl.links(), c.net.iface).name; } catch { return c.net.iface; } finally { rtnl.close(); }
}

/** diag rows for the network: NIC, address, default route, forwarding (router only). */
export function netDiag(c: AgentConfig): DiagLine[] {
  if (!c.net.enabled) return [{ check: "net", ok: true, detail: "net.enabled = false (not managed)" }];
  const rtnl = new Rtnl();
  try {
    const s = snapshot(rtnl);
    const rows: DiagLine[] = [];
    let nic;
    try { nic = findLink(s.links, c.net.iface); } catch (e) { return [{ check: "net:nic", ok: false, detail: (e as Error).message, hint: "check the VM's NIC (crosvm --net / QEMU -netdev) and sovereign.iface" }]; }
    rows.push({ check: "net:nic", ok: nic.up, detail: `${nic.name} ${nic.up ? "up" : "DOWN"} mtu ${nic.mtu}`, hint: "run `net`; the network boot phase should have brought it up (see status)" });
    const want = `${c.net.ip.addr}/${c.net.ip.len}`;
    const has = s.addrs.some((a) => a.index === nic.index && `${a.local}/${a.prefixlen}` === want);
    rows.push({ check: "net:address", ok: has, detail: has ? `${want} on ${nic.name}` : `${want} missing on ${nic.name}`, hint: "see the network phase in status; another process may have removed it" });
    if (c.net.gw) {
      const d = s.routes.find((r) => r.table === 254 && r.dst === "default");
      rows.push({ check: "net:default-route", ok: d?.gateway === c.net.gw, detail: d ? `default via ${d.gateway ?? "-"}` : "no default route in main", hint: `expected default via ${c.net.gw} (tailscaled's control traffic uses main: tailscale #4038)` });
    }
    if (c.tailscale.enabled) {
      const v4 = readSysctl("net.ipv4.ip_forward"), v6 = readSysctl("net.ipv6.conf.all.forwarding");
      rows.push({ check: "net:forwarding", ok: v4 === "1" && v6 !== "0", detail: `ip_forward=${v4 ?? "absent"} ipv6 forwarding=${v6 ?? "absent"}`, hint: "the subnet router cannot forward; the network phase sets these (see status)" });
    }
    return rows;
  } finally {
    rtnl.close();
  }
}

/** Register `net [--json]` and the network diag rows. */
export function registerNetCommand(): void {
  registerDiag("network", (st) => (st.config ? netDiag(st.config) : [{ check: "net", ok: false, detail: "no valid config", hint: "see status" }]));
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
