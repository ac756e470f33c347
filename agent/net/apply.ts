// Executor: runs planned operations against the Rtnl port. Expected errnos count as success
// (EEXIST on add; ENOENT/ESRCH/EADDRNOTAVAIL on delete). Other errors are collected; it keeps going.
import { errMsg, SysError } from "../errors.ts";
import type { RtnlPort } from "../netlink/rtnl.ts";
import { ensureSysctls } from "../sys/sysctl.ts";
import { planNet, type NetDesired, type NetOp } from "./plan.ts";

/** What one apply did. */
export interface ApplyResult { ops: NetOp[]; done: string[]; errors: string[] }

const OK_ON_ADD = new Set(["EEXIST"]);
const OK_ON_DEL = new Set(["ENOENT", "ESRCH", "EADDRNOTAVAIL"]);

/** Describe an op in `ip` terms for the log. */
export function opText(o: NetOp): string {
  switch (o.op) {
    case "link": return `ip link set ${o.name}${o.up ? " up" : ""}${o.mtu ? ` mtu ${o.mtu}` : ""}`;
    case "addAddr": return `ip addr add ${o.addr}/${o.len} dev ${o.name}`;
    case "delAddr": return `ip addr del ${o.addr}/${o.len} dev ${o.name}`;
    case "replaceRoute": return `ip route replace ${o.route.dst} via ${o.route.gateway} table ${o.route.table}`;
    case "addRule": return `ip rule add to ${o.rule.dst} lookup ${o.rule.table} pref ${o.rule.priority}`;
    case "delRule": return `ip rule del to ${o.rule.dst} lookup ${o.rule.table} pref ${o.rule.priority}`;
  }
}

/** Run one op. */
function run(port: RtnlPort, o: NetOp): void {
  switch (o.op) {
    case "link": return port.setLink(o.index, { up: o.up, mtu: o.mtu }, o.name);
    case "addAddr": return port.addAddr(o.index, o.addr, o.len, o.name);
    case "delAddr": return port.delAddr(o.index, o.addr, o.len, o.name);
    case "replaceRoute": return port.replaceRoute(o.route);
    case "addRule": return port.addRule(o.rule);
    case "delRule": return port.delRule(o.rule);
  }
}

/** Observe, plan and apply. Idempotent: a second call with the same input makes no writes. */
export function applyNet(port: RtnlPort, want: NetDesired, sysRoot = "/proc/sys"): ApplyResult {
  const obs = { links: port.links(), addrs: port.addrs(), routes: port.routes(), rules: port.rules() };
  const ops = planNet(want, obs);
  const res: ApplyResult = { ops, done: [], errors: [] };
  // Deleting the primary address also deletes its secondaries (the new one, added first, is a
  // secondary in the same subnet) unless promote_secondaries is on for the interface.
  const moving = ops.find((o) => o.op === "delAddr");
  if (moving && moving.op === "delAddr") {
    try {
      ensureSysctls([{ key: `net.ipv4.conf.${moving.name}.promote_secondaries`, value: "1", why: "keep the new address when the old primary goes" }], sysRoot);
    } catch (e) {
      res.errors.push(errMsg(e));
    }
  }
  for (const o of ops) {
    try {
      run(port, o);
      res.done.push(opText(o));
    } catch (e) {
      const code = e instanceof SysError ? e.code : "";
      const isDel = o.op === "delAddr" || o.op === "delRule";
      if ((isDel ? OK_ON_DEL : OK_ON_ADD).has(code)) { res.done.push(`${opText(o)} (already so)`); continue; }
      res.errors.push(code === "EPERM" ? `${errMsg(e)}: the agent needs CAP_NET_ADMIN in this network namespace (run as root)` : errMsg(e));
    }
  }
  return res;
}
