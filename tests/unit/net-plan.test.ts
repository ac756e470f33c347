import { describe, expect, test } from "bun:test";
import { opText } from "../../agent/net/apply.ts";
import { planNet, touchesTailscale, type NetDesired, type NetObserved } from "../../agent/net/plan.ts";

const want: NetDesired = { iface: "eth0", mtu: 1400, addr: { addr: "192.168.100.2", len: 24 }, gateway: "192.168.100.1", lan: { addr: "192.168.100.0", len: 24 }, guard: false };
const link = (index: number, name: string, up: boolean, mtu = 1500, mac = "") => ({ index, name, up, mtu, mac, flags: up ? 1 : 0, kind: "" });
const addr = (index: number, local: string, prefixlen: number) => ({ index, family: 2, prefixlen, local, flags: 0, scope: 0, label: "" });
const tsRules = [
  { family: 2, priority: 5210, table: 254, action: 1, fwmark: 0x80000, fwmask: 0xff0000 },
  { family: 2, priority: 5230, table: 253, action: 1, fwmark: 0x80000, fwmask: 0xff0000 },
  { family: 2, priority: 5250, table: 0, action: 7, fwmark: 0x80000, fwmask: 0xff0000 },
  { family: 2, priority: 5270, table: 52, action: 1 },
];
const fresh: NetObserved = { links: [link(1, "lo", false, 65536), link(2, "eth0", false, 1500, "52:54:00:00:00:02"), link(3, "tailscale0", true, 1280)], addrs: [], routes: [], rules: [] };
const converged: NetObserved = {
  links: [link(1, "lo", true, 65536), link(2, "eth0", true, 1400, "52:54:00:00:00:02"), link(3, "tailscale0", true, 1280)],
  addrs: [addr(1, "127.0.0.1", 8), addr(2, "192.168.100.2", 24), addr(3, "100.64.0.2", 32)],
  routes: [
    { family: 2, dst: "default", table: 254, protocol: 4, scope: 0, type: 1, gateway: "192.168.100.1", oif: 2 },
    { family: 2, dst: "192.168.100.0/24", table: 52, protocol: 4, scope: 253, type: 1, oif: 3 },
  ],
  rules: tsRules,
};
const texts = (want: NetDesired, obs: NetObserved) => planNet(want, obs).map(opText);

describe("network planner", () => {
  test("fresh boot: lo up, NIC up with MTU, address, default route", () => {
    expect(texts(want, fresh)).toEqual([
      "ip link set lo up", "ip link set eth0 up mtu 1400", "ip addr add 192.168.100.2/24 dev eth0", "ip route replace default via 192.168.100.1 table 254",
    ]);
  });

  test("converged state: no operations", () => {
    expect(planNet(want, converged)).toEqual([]);
  });

  test("a changed address is moved: add the new, then delete the old", () => {
    expect(texts({ ...want, addr: { addr: "192.168.100.9", len: 24 } }, converged)).toEqual([
      "ip addr add 192.168.100.9/24 dev eth0", "ip addr del 192.168.100.2/24 dev eth0",
    ]);
  });

  test("a changed gateway is replaced", () => {
    expect(texts({ ...want, gateway: "192.168.100.254" }, converged)).toEqual(["ip route replace default via 192.168.100.254 table 254"]);
  });

  test("guard on adds `to LAN lookup main pref 5200`; off removes only ours", () => {
    expect(texts({ ...want, guard: true }, converged)).toEqual(["ip rule add to 192.168.100.0/24 lookup 254 pref 5200"]);
    const withGuard = { ...converged, rules: [...tsRules, { family: 2, priority: 5200, table: 254, action: 1, dst: "192.168.100.0/24" }] };
    expect(planNet({ ...want, guard: true }, withGuard)).toEqual([]);
    expect(texts(want, withGuard)).toEqual(["ip rule del to 192.168.100.0/24 lookup 254 pref 5200"]);
  });

  test("a guard for an old LAN is replaced: add new, then delete old", () => {
    const old = { ...converged, rules: [...tsRules, { family: 2, priority: 5200, table: 254, action: 1, dst: "10.1.0.0/16" }] };
    expect(texts({ ...want, guard: true }, old)).toEqual(["ip rule add to 192.168.100.0/24 lookup 254 pref 5200", "ip rule del to 10.1.0.0/16 lookup 254 pref 5200"]);
  });

  test("never touches tailscaled's rules, table 52 or tailscale0, whatever the input", () => {
    for (const obs of [fresh, converged]) for (const guard of [true, false]) {
      for (const op of planNet({ ...want, guard }, obs)) expect(touchesTailscale(op, obs.links)).toBe(false);
    }
  });

  test("interface by MAC", () => {
    expect(texts({ ...want, iface: "52:54:00:00:00:02" }, converged)).toEqual([]);
  });

  test("a missing interface is named, with the links found", () => {
    expect(() => planNet({ ...want, iface: "eth9" }, fresh)).toThrow("find interface eth9: no link with that name (links: lo, eth0 (52:54:00:00:00:02), tailscale0; set sovereign.iface=NAME|MAC)");
    expect(() => planNet({ ...want, iface: "tailscale0" }, fresh)).toThrow("tailscale0 belongs to tailscaled");
  });
});
