// Typed rtnetlink requests and decoders for links, addresses, routes and rules (IPv4 managed; other
// families decoded for display). Pure: bytes in, objects out.
import { parseCidr4 } from "../net/addr.ts";
import { cstrOf, i32At, ip4Of, macOf, MsgWriter, NetlinkDecodeError, parseAttrs, u32At, type NlMsg } from "./codec.ts";
import { AF, FR_ACT, FRA, IFA, IFA_F, IFF, IFLA, IFLA_INFO, NLM_F, RT_SCOPE, RT_TABLE, RTA, RTM, RTN, RTPROT } from "./constants.ts";

export interface Link { index: number; name: string; flags: number; up: boolean; mtu: number; mac: string; kind: string }
export interface Addr { index: number; family: number; prefixlen: number; local: string; flags: number; scope: number; label: string }
export interface Route { family: number; dst: string; table: number; protocol: number; scope: number; type: number; gateway?: string; oif?: number; prefsrc?: string; metric?: number }
export interface Rule { family: number; priority: number; table: number; action: number; fwmark?: number; fwmask?: number; dst?: string; src?: string; iif?: string; oif?: string }

const REQ_ACK = NLM_F.REQUEST | NLM_F.ACK;

/** RTM_GETLINK dump. */
export function getLinksMsg(): MsgWriter {
  return new MsgWriter(RTM.GETLINK, NLM_F.REQUEST | NLM_F.DUMP).u8(AF.UNSPEC).u8(0).u16(0).i32(0).u32(0).u32(0);
}

/** RTM_GETADDR dump for a family. */
export function getAddrsMsg(family: number = AF.INET): MsgWriter {
  return new MsgWriter(RTM.GETADDR, NLM_F.REQUEST | NLM_F.DUMP).u8(family).u8(0).u8(0).u8(0).u32(0);
}

/** RTM_GETROUTE dump (every table) for a family. */
export function getRoutesMsg(family: number = AF.INET): MsgWriter {
  return new MsgWriter(RTM.GETROUTE, NLM_F.REQUEST | NLM_F.DUMP).u8(family).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
}

/** RTM_GETRULE dump for a family. */
export function getRulesMsg(family: number = AF.INET): MsgWriter {
  return new MsgWriter(RTM.GETRULE, NLM_F.REQUEST | NLM_F.DUMP).u8(family).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
}

/** Set link up/down and/or MTU: `ip link set dev IDX [up|down] [mtu N]`. */
export function setLinkMsg(index: number, opts: { up?: boolean; mtu?: number }): MsgWriter {
  const change = opts.up === undefined ? 0 : IFF.UP;
  const flags = opts.up ? IFF.UP : 0;
  const m = new MsgWriter(RTM.NEWLINK, REQ_ACK).u8(AF.UNSPEC).u8(0).u16(0).i32(index).u32(flags).u32(change);
  if (opts.mtu !== undefined) m.attrU32(IFLA.MTU, opts.mtu);
  return m;
}

/** Add (`ip addr add A/L dev IDX nodad`) or delete an IPv4 address. 127/8 needs scope host (EINVAL otherwise). */
export function addrMsg(add: boolean, index: number, addr: string, prefixlen: number): MsgWriter {
  const scope = addr.startsWith("127.") ? RT_SCOPE.HOST : RT_SCOPE.UNIVERSE;
  const m = new MsgWriter(add ? RTM.NEWADDR : RTM.DELADDR, add ? REQ_ACK | NLM_F.CREATE | NLM_F.EXCL : REQ_ACK)
    .u8(AF.INET).u8(prefixlen).u8(add ? IFA_F.NODAD : 0).u8(scope).u32(index)
    .attrIp4(IFA.LOCAL, addr).attrIp4(IFA.ADDRESS, addr);
  if (add) m.attrU32(IFA.FLAGS, IFA_F.NODAD);
  return m;
}

/** Desired route fields for replace/delete. dst "default" or a CIDR. */
export interface RouteSpec { dst: string; table: number; gateway?: string; oif?: number; scope?: number; type?: number; protocol?: number; prefsrc?: string }

/** `ip route replace DST [via GW] [dev OIF] table T [scope S]` (or delete). */
export function routeMsg(op: "replace" | "delete", r: RouteSpec): MsgWriter {
  const [dst, dstLen] = r.dst === "default" ? ["", 0] : ((c) => [c!.addr, c!.len] as const)(parseCidr4(r.dst));
  const flags = op === "replace" ? REQ_ACK | NLM_F.CREATE | NLM_F.REPLACE : REQ_ACK;
  const type = r.type ?? RTN.UNICAST;
  const scope = r.scope ?? (r.gateway ? RT_SCOPE.UNIVERSE : type === RTN.UNICAST ? RT_SCOPE.LINK : RT_SCOPE.UNIVERSE);
  const m = new MsgWriter(op === "replace" ? RTM.NEWROUTE : RTM.DELROUTE, flags)
    .u8(AF.INET).u8(dstLen as number).u8(0).u8(0).u8(r.table < 256 ? r.table : RT_TABLE.COMPAT)
    .u8(op === "delete" ? 0 : r.protocol ?? RTPROT.STATIC).u8(op === "delete" ? RT_SCOPE.NOWHERE : scope).u8(type).u32(0);
  if (dst) m.attrIp4(RTA.DST, dst as string);
  if (r.gateway) m.attrIp4(RTA.GATEWAY, r.gateway);
  if (r.oif) m.attrU32(RTA.OIF, r.oif);
  if (r.prefsrc) m.attrIp4(RTA.PREFSRC, r.prefsrc);
  m.attrU32(RTA.TABLE, r.table);
  return m;
}

/** Desired rule fields. action TO_TBL needs table; UNREACHABLE needs none. */
export interface RuleSpec { priority: number; table?: number; action?: number; fwmark?: number; fwmask?: number; dst?: string; src?: string }

/** `ip rule add|del [to D] [from S] [fwmark M/K] (lookup T | unreachable) pref P`. */
export function ruleMsg(op: "add" | "delete", r: RuleSpec): MsgWriter {
  const action = r.action ?? FR_ACT.TO_TBL;
  const dst = r.dst ? parseCidr4(r.dst) : undefined, src = r.src ? parseCidr4(r.src) : undefined;
  const table = r.table ?? 0;
  const m = new MsgWriter(op === "add" ? RTM.NEWRULE : RTM.DELRULE, op === "add" ? REQ_ACK | NLM_F.CREATE | NLM_F.EXCL : REQ_ACK)
    .u8(AF.INET).u8(dst?.len ?? 0).u8(src?.len ?? 0).u8(0).u8(table < 256 ? table : RT_TABLE.COMPAT).u8(0).u8(0).u8(action).u32(0);
  if (dst) m.attrIp4(FRA.DST, dst.addr);
  if (src) m.attrIp4(FRA.SRC, src.addr);
  m.attrU32(FRA.PRIORITY, r.priority);
  if (r.fwmark !== undefined) m.attrU32(FRA.FWMARK, r.fwmark);
  if (r.fwmask !== undefined) m.attrU32(FRA.FWMASK, r.fwmask);
  if (action === FR_ACT.TO_TBL) m.attrU32(FRA.TABLE, table);
  return m;
}

function need(m: NlMsg, n: number, what: string): void {
  if (m.body.length < n) throw new NetlinkDecodeError(`${what} body is ${m.body.length} bytes, need ${n}`);
}

const addrText = (family: number, b: Uint8Array): string =>
  family === AF.INET ? ip4Of(b) : [...Array(8)].map((_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16)).join(":").replace(/(^|:)0(:0)+(:|$)/, "::");

/** RTM_NEWLINK → Link. */
export function decodeLink(m: NlMsg): Link {
  need(m, 16, "ifinfomsg");
  const a = parseAttrs(m.body, 16);
  const flags = u32At(m.body, 8);
  const info = a.get(IFLA.LINKINFO);
  const kind = info ? cstrOf(parseAttrs(info).get(IFLA_INFO.KIND) ?? new Uint8Array()) : "";
  return {
    index: i32At(m.body, 4), name: cstrOf(a.get(IFLA.IFNAME) ?? new Uint8Array()), flags, up: (flags & IFF.UP) !== 0,
    mtu: a.get(IFLA.MTU) ? u32At(a.get(IFLA.MTU)!) : 0, mac: a.get(IFLA.ADDRESS) ? macOf(a.get(IFLA.ADDRESS)!) : "", kind,
  };
}

/** RTM_NEWADDR → Addr. */
export function decodeAddr(m: NlMsg): Addr {
  need(m, 8, "ifaddrmsg");
  const family = m.body[0];
  const a = parseAttrs(m.body, 8);
  const local = a.get(IFA.LOCAL) ?? a.get(IFA.ADDRESS);
  return {
    index: u32At(m.body, 4), family, prefixlen: m.body[1], scope: m.body[3],
    flags: a.get(IFA.FLAGS) ? u32At(a.get(IFA.FLAGS)!) : m.body[2],
    local: local ? addrText(family, local) : "", label: a.get(IFA.LABEL) ? cstrOf(a.get(IFA.LABEL)!) : "",
  };
}

/** RTM_NEWROUTE → Route. */
export function decodeRoute(m: NlMsg): Route {
  need(m, 12, "rtmsg");
  const b = m.body, family = b[0];
  const a = parseAttrs(b, 12);
  const dst = a.get(RTA.DST);
  const r: Route = {
    family, dst: dst ? `${addrText(family, dst)}/${b[1]}` : "default", table: a.get(RTA.TABLE) ? u32At(a.get(RTA.TABLE)!) : b[4],
    protocol: b[5], scope: b[6], type: b[7],
  };
  if (a.get(RTA.GATEWAY)) r.gateway = addrText(family, a.get(RTA.GATEWAY)!);
  if (a.get(RTA.OIF)) r.oif = u32At(a.get(RTA.OIF)!);
  if (a.get(RTA.PREFSRC)) r.prefsrc = addrText(family, a.get(RTA.PREFSRC)!);
  if (a.get(RTA.PRIORITY)) r.metric = u32At(a.get(RTA.PRIORITY)!);
  return r;
}

/** RTM_NEWRULE → Rule. */
export function decodeRule(m: NlMsg): Rule {
  need(m, 12, "fib_rule_hdr");
  const b = m.body, family = b[0];
  const a = parseAttrs(b, 12);
  const r: Rule = { family, priority: a.get(FRA.PRIORITY) ? u32At(a.get(FRA.PRIORITY)!) : 0, table: a.get(FRA.TABLE) ? u32At(a.get(FRA.TABLE)!) : b[4], action: b[7] };
  if (a.get(FRA.FWMARK)) r.fwmark = u32At(a.get(FRA.FWMARK)!);
  if (a.get(FRA.FWMASK)) r.fwmask = u32At(a.get(FRA.FWMASK)!);
  if (a.get(FRA.DST)) r.dst = `${addrText(family, a.get(FRA.DST)!)}/${b[1]}`;
  if (a.get(FRA.SRC)) r.src = `${addrText(family, a.get(FRA.SRC)!)}/${b[2]}`;
  if (a.get(FRA.IIFNAME)) r.iif = cstrOf(a.get(FRA.IIFNAME)!);
  if (a.get(FRA.OIFNAME)) r.oif = cstrOf(a.get(FRA.OIFNAME)!);
  return r;
}
