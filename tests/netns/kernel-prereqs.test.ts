// Preflight probes and our nftables table against the real kernel, in throwaway namespaces.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { IS_ROOT, NEED_ROOT } from "../helpers/env.ts";
import { NetNs } from "../helpers/netns.ts";
import { join } from "node:path";
import { ROOT, scratch } from "../helpers/env.ts";

const SQL = { iface: "eth0", lan: "192.168.100.0/24", servicePorts: [5432], wgPort: 41641, tailscale: true, inputPolicy: "drop" };
const tool = async (ns: NetNs, mode: string, arg: unknown = null) =>
  JSON.parse((await ns.exec([join(ROOT, "node_modules/.bin/bun"), join(ROOT, "tests/helpers/kernel-tool.ts"), mode, JSON.stringify(arg)])).trim().split("\n").pop()!);

describe.skipIf(!IS_ROOT)(`netns: kernel prerequisites and firewall ${IS_ROOT ? "" : NEED_ROOT}`, () => {
  let ns: NetNs;
  beforeEach(async () => { ns = await NetNs.create("kp"); });
  afterEach(async () => { await ns.del(); });

  test("every preflight probe passes on this kernel, and leaves nothing behind", async () => {
    const r = await tool(ns, "preflight");
    expect(r.map((x: any) => [x.name, x.ok, x.detail.includes("FAIL") ? x.detail : ""])).toEqual([["tun", true, ""], ["fwmark-rule", true, ""], ["nft-nat", true, ""], ["forwarding-sysctls", true, ""]]);
    expect((await ns.ipj("link")).map((l: any) => l.ifname)).toEqual(["lo"]);
    expect((await ns.ipj("rule")).map((r: any) => r.priority)).toEqual([0, 32766, 32767]);
    expect((await ns.exec(["nft", "list", "tables"])).trim()).toBe("");
  }, 30_000);

  test("the ruleset applied twice gives an identical nft -j list ruleset; tailscaled's chains are untouched", async () => {
    // tables and chains shaped like tailscaled's nftables mode (reference/tailscale.md §1)
    const tsRules = `table ip filter {
  chain FORWARD { type filter hook forward priority filter; policy accept; counter jump ts-forward; }
  chain INPUT { type filter hook input priority filter; policy accept; counter jump ts-input; }
  chain ts-forward { iifname "tailscale0" meta mark set mark and 0xff00ffff xor 0x40000; meta mark & 0x00ff0000 == 0x00040000 accept; }
  chain ts-input { iifname "tailscale0" accept; }
}
table ip nat {
  chain POSTROUTING { type nat hook postrouting priority srcnat; policy accept; counter jump ts-postrouting; }
  chain ts-postrouting { meta mark & 0x00ff0000 == 0x00040000 counter masquerade; }
}
`;
    const file = join(scratch("nft"), "ts.nft");
    await Bun.write(file, tsRules);
    await ns.exec(["nft", "-f", file]);
    const tsBefore = await ns.exec(["nft", "-j", "list", "table", "ip", "filter"]) + await ns.exec(["nft", "-j", "list", "table", "ip", "nat"]);
    expect(await tool(ns, "fw", SQL)).toEqual({ result: "applied" });
    const once = await ns.exec(["nft", "-j", "list", "ruleset"]);
    expect(await tool(ns, "fw", SQL)).toEqual({ result: "unchanged" });
    expect(await ns.exec(["nft", "-j", "list", "ruleset"])).toBe(once);
    expect(await ns.exec(["nft", "-j", "list", "table", "ip", "filter"]) + await ns.exec(["nft", "-j", "list", "table", "ip", "nat"])).toBe(tsBefore);
    // a changed spec replaces our table, still leaving theirs alone
    expect(await tool(ns, "fw", { ...SQL, servicePorts: [5432, 5433] })).toEqual({ result: "applied" });
    expect(await ns.exec(["nft", "list", "table", "inet", "sovereign"])).toContain("tcp dport { 5432, 5433 } accept");
    expect(await ns.exec(["nft", "-j", "list", "table", "ip", "filter"]) + await ns.exec(["nft", "-j", "list", "table", "ip", "nat"])).toBe(tsBefore);
  }, 30_000);
});
