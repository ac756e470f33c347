// Pure network planner: (desired, observed) → operations. Adds before it deletes, and never touches
// what it does not own: tailscaled's rules (5201-5299), table 52, and tailscale0.
import type { Addr, Link, Route, RouteSpec, Rule, RuleSpec } from "../netlink/messages.ts";
import type { Cidr4 } from "./addr.ts";
import { GUARD_PRIORITY, MAIN_TABLE, TS_IFACE, TS_TABLE } from "./policy.ts";

/** What the network should look like. */
export interface NetDesired {
  iface: string;         // name or MAC
  mtu: number;
  addr: Cidr4;
  gateway: string;       // "" = no default route
  lan: Cidr4;
  guard: boolean;        // install `to LAN lookup main` at 5200 (accept-routes on)
}

/** What the kernel has now. */
export interface NetObserved { links: Link[]; addrs: Addr[]; routes: Route[]; rules: Rule[] }

export type NetOp =
  | { op: "link"; index: number; name: string; up?: boolean; mtu?: number }
  | { op: "addAddr"; index: number; name: string; addr: string; len: number }
  | { op: "delAddr"; index: number; name: string; addr: string; len: number }
  | { op: "replaceRoute"; route: RouteSpec }
  | { op: "addRule"; rule: RuleSpec }
  | { op: "delRule"; rule: RuleSpec };

const MAC_RE = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

/** Find the configured interface by name or MAC; throws naming it and listing the links found. */
export function findLink(links: Link[], want: string): Link {
  const l = MAC_RE.test(want) ? links.find((x) => x.mac.toLowerCase() === want.toLowerCase()) : links.find((x) => x.name === want);
  if (!l) {
    const found = links.map((x) => `${x.name}${x.mac && x.mac !== "00:00:00:00:00:00" ? ` (${x.mac})` : ""}`).join(", ") || "none";
    throw new Error(`find interface ${want}: no link with that ${MAC_RE.test(want) ? "MAC" : "name"} (links: ${found}; set sovereign.iface=NAME|MAC)`);
  }
  if (l.name === TS_IFACE) throw new Error(`find interface ${want}: ${TS_IFACE} belongs to tailscaled, not the LAN`);
  return l;
}

/** The guard rule for a LAN prefix. */
export function guardRule(lan: Cidr4): RuleSpec {
  return { priority: GUARD_PRIORITY, dst: `${lan.addr}/${lan.len}`, table: MAIN_TABLE };
}

/** Compute the operations that turn `obs` into `want`. Pure; order = execution order. */
export function planNet(want: NetDesired, obs: NetObserved): NetOp[] {
  const ops: NetOp[] = [];
  const lo = obs.links.find((l) => l.name === "lo");
  if (lo && !lo.up) ops.push({ op: "link", index: lo.index, name: "lo", up: true });
  const nic = findLink(obs.links, want.iface);
  const linkOp: NetOp = { op: "link", index: nic.index, name: nic.name };
  if (nic.mtu !== want.mtu) linkOp.mtu = want.mtu;
  if (!nic.up) linkOp.up = true;
  if (linkOp.mtu !== undefined || linkOp.up !== undefined) ops.push(linkOp);

  // Addresses: add the wanted one first, then remove other global IPv4 addresses on our NIC.
  const mine = obs.addrs.filter((a) => a.index === nic.index && a.family === 2 && a.scope === 0);
  const has = mine.some((a) => a.local === want.addr.addr && a.prefixlen === want.addr.len);
  if (!has) ops.push({ op: "addAddr", index: nic.index, name: nic.name, addr: want.addr.addr, len: want.addr.len });
  for (const a of mine) {
    if (a.local !== want.addr.addr || a.prefixlen !== want.addr.len) ops.push({ op: "delAddr", index: nic.index, name: nic.name, addr: a.local, len: a.prefixlen });
  }

  // Default route in main (tailscaled's bypass rules look up main: tailscale issue #4038).
  if (want.gateway) {
    const cur = obs.routes.find((r) => r.table === MAIN_TABLE && r.dst === "default" && r.family === 2 && !r.metric);
    if (!cur || cur.gateway !== want.gateway || cur.oif !== nic.index) {
      ops.push({ op: "replaceRoute", route: { dst: "default", table: MAIN_TABLE, gateway: want.gateway, oif: nic.index } });
    }
  }

  // The LAN guard: ours is priority 5200 + to-prefix + lookup main. Stale ones (old LAN) go.
  const guard = guardRule(want.lan);
  const ours = obs.rules.filter((r) => r.family === 2 && r.priority === GUARD_PRIORITY && r.table === MAIN_TABLE && r.dst !== undefined && r.fwmark === undefined);
  const haveGuard = ours.some((r) => r.dst === guard.dst);
  if (want.guard && !haveGuard) ops.push({ op: "addRule", rule: guard });
  for (const r of ours) {
    if (!want.guard || r.dst !== guard.dst) ops.push({ op: "delRule", rule: { priority: r.priority, dst: r.dst, table: r.table } });
  }
  return ops;
}

/** True when an op would touch something tailscaled owns (a planner bug guard, checked by tests). */
export function touchesTailscale(op: NetOp, links: Link[]): boolean {
  if (op.op === "addRule" || op.op === "delRule") return op.rule.priority > GUARD_PRIORITY && op.rule.priority < 5300 || op.rule.table === TS_TABLE;
  if (op.op === "replaceRoute") return op.route.table === TS_TABLE;
  return links.find((l) => l.index === op.index)?.name === TS_IFACE;
}
