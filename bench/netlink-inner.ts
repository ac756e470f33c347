// Runs inside a throwaway netns (bench/netlink.ts sets it up). Prints JSON timings.
import { applyNet } from "../agent/net/apply.ts";
import { Rtnl } from "../agent/netlink/rtnl.ts";
import { ensureSysctls, routerSysctls } from "../agent/sys/sysctl.ts";

const rtnl = new Rtnl();
const idx = rtnl.links().find((l) => l.name === "peer0")!.index;
const N = 100;
let t0 = performance.now();
for (let i = 0; i < N; i++) { rtnl.addAddr(idx, "10.9.0.1", 24, "peer0"); rtnl.delAddr(idx, "10.9.0.1", 24, "peer0"); }
const ffi = performance.now() - t0;
t0 = performance.now();
for (let i = 0; i < N; i++) {
  Bun.spawnSync(["ip", "addr", "add", "10.9.0.1/24", "dev", "peer0"]);
  Bun.spawnSync(["ip", "addr", "del", "10.9.0.1/24", "dev", "peer0"]);
}
const ipCmd = performance.now() - t0;

// The network phase: planner + netlink + sysctls, against a shell script doing the same with `ip`.
const want = { iface: "eth0", mtu: 1400, addr: { addr: "192.168.100.2", len: 24 }, gateway: "192.168.100.1", lan: { addr: "192.168.100.0", len: 24 }, guard: true };
const reset = () => Bun.spawnSync(["sh", "-c", "ip addr flush dev eth0; ip link set eth0 down mtu 1500; ip rule del pref 5200 2>/dev/null; true"]);
const phases: number[] = [], scripts: number[] = [];
const script = `ip link set lo up; ip link set eth0 up mtu 1400; ip addr add 192.168.100.2/24 dev eth0; ip route replace default via 192.168.100.1 dev eth0; ip rule add to 192.168.100.0/24 lookup main pref 5200; ip -j addr >/dev/null; ip -j route show table all >/dev/null; ip -j rule >/dev/null; echo 1 > /proc/sys/net/ipv4/ip_forward; echo 2 > /proc/sys/net/ipv4/conf/all/rp_filter; echo 2 > /proc/sys/net/ipv4/conf/default/rp_filter`;
for (let i = 0; i < 10; i++) {
  reset();
  t0 = performance.now();
  const r = applyNet(rtnl, want);
  ensureSysctls(routerSysctls("eth0"));
  phases.push(performance.now() - t0);
  if (r.errors.length) throw new Error(r.errors.join("; "));
  reset();
  t0 = performance.now();
  Bun.spawnSync(["sh", "-c", script]);
  scripts.push(performance.now() - t0);
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
console.log(JSON.stringify({ ffi, ipCmd, phase: med(phases), script: med(scripts) }));
