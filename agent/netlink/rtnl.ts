// The Rtnl port: the narrow set of kernel operations the network executor uses.
import { AF } from "./constants.ts";
import { addrMsg, decodeAddr, decodeLink, decodeRoute, decodeRule, getAddrsMsg, getLinksMsg, getRoutesMsg, getRulesMsg, routeMsg, ruleMsg, setLinkMsg, type Addr, type Link, type Route, type RouteSpec, type Rule, type RuleSpec } from "./messages.ts";
import { NetlinkSocket } from "./socket.ts";

/** Everything the network code needs from the kernel. Implemented by Rtnl; faked in unit tests. */
export interface RtnlPort {
  links(): Link[];
  addrs(): Addr[];
  routes(): Route[];
  rules(): Rule[];
  setLink(index: number, opts: { up?: boolean; mtu?: number }, name: string): void;
  addAddr(index: number, addr: string, len: number, name: string): void;
  delAddr(index: number, addr: string, len: number, name: string): void;
  replaceRoute(r: RouteSpec): void;
  delRoute(r: RouteSpec): void;
  addRule(r: RuleSpec): void;
  delRule(r: RuleSpec): void;
}

/** Human form of a route spec, for errors: "default via 192.168.100.1 table 254". */
export function routeText(r: RouteSpec): string {
  return `${r.dst}${r.gateway ? ` via ${r.gateway}` : ""}${r.oif ? ` oif ${r.oif}` : ""} table ${r.table}`;
}

/** Human form of a rule spec, as `ip rule` prints it. */
export function ruleText(r: RuleSpec): string {
  const parts = [`${r.priority}:`, r.src ? `from ${r.src}` : "from all"];
  if (r.dst) parts.push(`to ${r.dst}`);
  if (r.fwmark !== undefined) parts.push(`fwmark 0x${r.fwmark.toString(16)}${r.fwmask !== undefined ? `/0x${r.fwmask.toString(16)}` : ""}`);
  parts.push(r.action === 7 ? "unreachable" : `lookup ${r.table === 254 ? "main" : r.table === 253 ? "default" : r.table}`);
  return parts.join(" ");
}

/** rtnetlink over a NetlinkSocket in the current network namespace. */
export class Rtnl implements RtnlPort {
  constructor(readonly sock: NetlinkSocket = new NetlinkSocket()) {}
  links(): Link[] { return this.sock.request(getLinksMsg(), "list links").map(decodeLink); }
  addrs(family: number = AF.INET): Addr[] { return this.sock.request(getAddrsMsg(family), "list addresses").map(decodeAddr); }
  routes(family: number = AF.INET): Route[] { return this.sock.request(getRoutesMsg(family), "list routes").map(decodeRoute); }
  rules(family: number = AF.INET): Rule[] { return this.sock.request(getRulesMsg(family), "list rules").map(decodeRule); }
  setLink(index: number, opts: { up?: boolean; mtu?: number }, name: string): void {
    const what = [opts.up === undefined ? "" : opts.up ? "up" : "down", opts.mtu ? `mtu ${opts.mtu}` : ""].filter(Boolean).join(" ");
    this.sock.request(setLinkMsg(index, opts), `set link ${name} ${what}`);
  }
  addAddr(index: number, addr: string, len: number, name: string): void { this.sock.request(addrMsg(true, index, addr, len), `add address ${addr}/${len} to ${name}`); }
  delAddr(index: number, addr: string, len: number, name: string): void { this.sock.request(addrMsg(false, index, addr, len), `delete address ${addr}/${len} from ${name}`); }
  replaceRoute(r: RouteSpec): void { this.sock.request(routeMsg("replace", r), `replace route ${routeText(r)}`); }
  delRoute(r: RouteSpec): void { this.sock.request(routeMsg("delete", r), `delete route ${routeText(r)}`); }
  addRule(r: RuleSpec): void { this.sock.request(ruleMsg("add", r), `add rule ${ruleText(r)}`); }
  delRule(r: RuleSpec): void { this.sock.request(ruleMsg("delete", r), `delete rule ${ruleText(r)}`); }
  /** Close the socket. */
  close(): void { this.sock.close(); }
}
