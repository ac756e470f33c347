// Runs inside a test network namespace: apply the planner through real netlink, or dump state.
//   net-tool.ts apply '<NetDesired json>'  →  {done, errors, writes}
//   net-tool.ts dump null                 →  {links, addrs, routes, rules}
//   net-tool.ts addAddr '{"index":..}'    →  {error} (error-path checks)
import { applyNet } from "../../agent/net/apply.ts";
import { Rtnl } from "../../agent/netlink/rtnl.ts";

const [mode, argJson] = process.argv.slice(2);
const arg = JSON.parse(argJson ?? "null");
try {
  const rtnl = new Rtnl();
  if (mode === "apply") {
    const before = rtnl.sock.writes;
    const r = applyNet(rtnl, arg);
    console.log(JSON.stringify({ done: r.done, errors: r.errors, writes: rtnl.sock.writes - before }));
  } else if (mode === "dump") {
    console.log(JSON.stringify({ links: rtnl.links(), addrs: rtnl.addrs(), routes: rtnl.routes(), rules: rtnl.rules() }));
  } else if (mode === "addAddr") {
    rtnl.addAddr(arg.index, arg.addr, arg.len, arg.name);
    console.log(JSON.stringify({ error: null }));
  }
} catch (e) {
  console.log(JSON.stringify({ error: (e as Error).message, name: (e as Error).name, code: (e as any).code }));
}
