// The network planner and executor against the real kernel, in throwaway namespaces; `ip -j` is the oracle.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { IS_ROOT, NEED_ROOT } from "../helpers/env.ts";
import { NetNs } from "../helpers/netns.ts";

const WANT = { iface: "eth0", mtu: 1400, addr: { addr: "192.168.100.2", len: 24 }, gateway: "192.168.100.1", lan: { addr: "192.168.100.0", len: 24 }, guard: true };

describe.skipIf(!IS_ROOT)(`netns: rtnetlink apply ${IS_ROOT ? "" : NEED_ROOT}`, () => {
  let ns: NetNs;
  beforeEach(async () => {
    ns = await NetNs.create("net");
    await ns.ip("link", "add", "eth0", "type", "veth", "peer", "name", "peer0");
    await ns.ip("link", "set", "peer0", "up");
  });
  afterEach(async () => { await ns.del(); });

  test("apply reaches exactly the expected state; a second apply makes zero writes", async () => {
    const r1 = await ns.tool("apply", WANT);
    expect(r1.errors).toEqual([]);
    expect(r1.writes).toBe(4);
    const eth0 = (await ns.ipj("addr", "show", "dev", "eth0"))[0];
    expect(eth0.mtu).toBe(1400);
    expect(eth0.flags).toContain("UP");
    expect(eth0.addr_info.filter((a: any) => a.family === "inet").map((a: any) => `${a.local}/${a.prefixlen}`)).toEqual(["192.168.100.2/24"]);
    const routes = (await ns.ipj("-4", "route", "show", "table", "main")).map((r: any) => `${r.dst} ${r.gateway ?? ""} ${r.dev}`.trim());
    expect(routes.sort()).toEqual(["192.168.100.0/24  eth0", "default 192.168.100.1 eth0"]);
    const rules = (await ns.ipj("-4", "rule")).map((r: any) => `${r.priority} ${r.dst ?? "all"}/${r.dstlen ?? ""} ${r.table}`);
    expect(rules).toEqual(["0 all/ local", "5200 192.168.100.0/24 main", "32766 all/ main", "32767 all/ default"]);
    const r2 = await ns.tool("apply", WANT);
    expect(r2).toEqual({ done: [], errors: [], writes: 0 });
  }, 30_000);

  test("a changed address is moved and the old one removed", async () => {
    await ns.tool("apply", WANT);
    const r = await ns.tool("apply", { ...WANT, addr: { addr: "192.168.100.7", len: 24 } });
    expect(r.done).toEqual(["ip addr add 192.168.100.7/24 dev eth0", "ip addr del 192.168.100.2/24 dev eth0"]);
    const a = (await ns.ipj("-4", "addr", "show", "dev", "eth0"))[0].addr_info.map((x: any) => x.local);
    expect(a).toEqual(["192.168.100.7"]);
    expect((await ns.ipj("-4", "route", "show", "default"))[0].gateway).toBe("192.168.100.1");
    expect((await ns.tool("apply", { ...WANT, addr: { addr: "192.168.100.7", len: 24 } })).writes).toBe(0);
  }, 30_000);

  test("tailscaled-shaped rules and table 52 survive our apply, guard on or off", async () => {
    await ns.ip("tuntap", "add", "dev", "tailscale0", "mode", "tun");
    await ns.ip("link", "set", "tailscale0", "up");
    for (const [pref, rest] of [["5210", "fwmark 0x80000/0xff0000 table main"], ["5230", "fwmark 0x80000/0xff0000 table default"], ["5250", "fwmark 0x80000/0xff0000 type unreachable"], ["5270", "table 52"]] as const) {
      await ns.ip("rule", "add", "pref", pref, ...rest.split(" "));
    }
    await ns.ip("route", "add", "100.100.0.0/16", "dev", "tailscale0", "table", "52");
    const snapshot = async () => JSON.stringify([(await ns.ipj("-4", "rule")).filter((r: any) => r.priority >= 5210 && r.priority <= 5270), await ns.ipj("route", "show", "table", "52")]);
    const before = await snapshot();
    expect((await ns.tool("apply", WANT)).errors).toEqual([]);
    expect(await snapshot()).toBe(before);
    expect((await ns.tool("apply", { ...WANT, guard: false })).done).toEqual(["ip rule del to 192.168.100.0/24 lookup 254 pref 5200"]);
    expect(await snapshot()).toBe(before);
  }, 30_000);

  test("the guard keeps the LAN out of the tunnel when table 52 claims it", async () => {
    await ns.ip("tuntap", "add", "dev", "tailscale0", "mode", "tun");
    await ns.ip("link", "set", "tailscale0", "up");
    await ns.ip("route", "add", "192.168.100.0/24", "dev", "tailscale0", "table", "52");
    await ns.ip("rule", "add", "pref", "5270", "table", "52");
    const via = async () => (await ns.ipj("route", "get", "192.168.100.3"))[0].dev;
    expect((await ns.tool("apply", { ...WANT, guard: false })).errors).toEqual([]);
    expect(await via()).toBe("tailscale0");
    expect((await ns.tool("apply", WANT)).errors).toEqual([]);
    expect(await via()).toBe("eth0");
  }, 30_000);

  test("decoded kernel dumps match `ip -j`", async () => {
    await ns.tool("apply", WANT);
    const d = await ns.tool("dump");
    const ipLinks = await ns.ipj("link");
    expect(d.links.map((l: any) => [l.index, l.name, l.mtu, l.mac])).toEqual(ipLinks.map((l: any) => [l.ifindex, l.ifname, l.mtu, l.address]));
    const ipAddrs = (await ns.ipj("-4", "addr")).flatMap((l: any) => l.addr_info.map((a: any) => [l.ifindex, `${a.local}/${a.prefixlen}`]));
    expect(d.addrs.map((a: any) => [a.index, `${a.local}/${a.prefixlen}`])).toEqual(ipAddrs);
    const ipRules = (await ns.ipj("-4", "rule")).map((r: any) => r.priority);
    expect(d.rules.map((r: any) => r.priority)).toEqual(ipRules);
    const mainDefault = d.routes.find((r: any) => r.table === 254 && r.dst === "default");
    expect(mainDefault).toMatchObject({ gateway: "192.168.100.1", oif: ipLinks.find((l: any) => l.ifname === "eth0").ifindex });
  }, 30_000);

  test("error paths: a missing interface is named with the links found; EPERM says what is needed", async () => {
    const r = await ns.tool("apply", { ...WANT, iface: "eth9" });
    const found = (await ns.ipj("link")).map((l: any) => (l.ifname === "lo" ? "lo" : `${l.ifname} (${l.address})`)).join(", ");
    expect(r.error).toBe(`find interface eth9: no link with that name (links: ${found}; set sovereign.iface=NAME|MAC)`);
    const idx = (await ns.ipj("link", "show", "eth0"))[0].ifindex;
    const p = await ns.tool("addAddr", { index: idx, addr: "10.9.9.9", len: 24, name: "eth0" }, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--"]);
    expect(p).toEqual({ error: "add address 10.9.9.9/24 to eth0: EPERM (operation not permitted)", name: "NetlinkError", code: "EPERM" });
    const viaApply = await ns.tool("apply", WANT, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--"]);
    expect(viaApply.errors[0]).toContain("EPERM (operation not permitted): the agent needs CAP_NET_ADMIN in this network namespace (run as root)");
  }, 30_000);
});
