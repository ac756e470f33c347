// `net` command: links, addresses, routes (main and 52), rules and forwarding sysctls, `ip`-like.
import type { Addr, Link, Route, Rule } from "../netlink/messages.ts";
import type { RtnlPort } from "../netlink/rtnl.ts";
import { ruleText } from "../netlink/rtnl.ts";
import { readSysctl } from "../sys/sysctl.ts";
import { MAIN_TABLE, TS_TABLE } from "./policy.ts";

/** Snapshot used by both the text and JSON forms. */
export interface NetSnapshot { links: Link[]; addrs: Addr[]; routes: Route[]; rules: Rule[]; sysctls: Record<string, string | null> }

const SYSCTLS = ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter"];

/** Read everything `net` shows. */
export function snapshot(port: RtnlPort, sysRoot = "/proc/sys"): NetSnapshot {
  const sysctls: Record<string, string | null> = {};
  for (const k of SYSCTLS) sysctls[k] = readSysctl(k, sysRoot) ?? null;
  return { links: port.links(), addrs: port.addrs(), routes: port.routes(), rules: port.rules(), sysctls };
}

const tableName = (t: number) => (t === MAIN_TABLE ? "main" : t === 253 ? "default" : t === 255 ? "local" : String(t));

/** Render a snapshot as `ip`-style text. */
export function renderNet(s: NetSnapshot): string {
  const name = (i?: number) => s.links.find((l) => l.index === i)?.name ?? `if${i}`;
  const out: string[] = ["links:"];
  for (const l of s.links) out.push(`  ${l.index}: ${l.name}: ${l.up ? "UP" : "DOWN"} mtu ${l.mtu}${l.mac ? ` link ${l.mac}` : ""}${l.kind ? ` (${l.kind})` : ""}`);
  out.push("addresses:");
  for (const a of s.addrs) out.push(`  ${name(a.index)}: inet ${a.local}/${a.prefixlen}${a.scope === 254 ? " scope host" : ""}`);
  for (const t of [MAIN_TABLE, TS_TABLE]) {
    out.push(`routes (table ${tableName(t)}):`);
    const rs = s.routes.filter((r) => r.table === t);
    if (!rs.length) out.push("  (none)");
    for (const r of rs) out.push(`  ${r.dst}${r.gateway ? ` via ${r.gateway}` : ""}${r.oif ? ` dev ${name(r.oif)}` : ""}${r.scope === 253 ? " scope link" : ""}${r.prefsrc ? ` src ${r.prefsrc}` : ""}`);
  }
  out.push("rules:");
  for (const r of [...s.rules].sort((a, b) => a.priority - b.priority)) {
    out.push(`  ${ruleText({ ...r, table: r.table }).replace(/lookup (\d+)$/, (_, t) => `lookup ${tableName(Number(t))}`)}`);
  }
  out.push("sysctls:");
  for (const [k, v] of Object.entries(s.sysctls)) out.push(`  ${k} = ${v ?? "(absent)"}`);
  return out.join("\n");
}
