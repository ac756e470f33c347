// Golden rulesets and the preflight's failure mapping (injected port).
import { describe, expect, test } from "bun:test";
import { renderRuleset, renderTransaction, rulesetHash } from "../../agent/firewall/ruleset.ts";
import { renderProbes, runPreflight, type PreflightPort } from "../../agent/kernel/preflight.ts";
import { SysError } from "../../agent/errors.ts";

const SQL = { iface: "eth0", lan: "192.168.100.0/24", servicePorts: [5432], wgPort: 41641, tailscale: true, inputPolicy: "drop" as const };

describe("ruleset", () => {
  test("SQL VM (subnet router): golden", () => {
    expect(renderRuleset(SQL)).toBe(`table inet sovereign {
  chain input {
    type filter hook input priority filter + 10; policy drop;
    ct state established,related accept
    ct state invalid drop
    iifname "lo" accept
    meta l4proto { 1, 58 } accept
    iifname "eth0" ip saddr 192.168.100.0/24 tcp dport { 5432 } accept
    iifname "tailscale0" tcp dport { 5432 } accept
    iifname "eth0" udp dport 41641 accept
    counter
  }
  chain forward {
    type filter hook forward priority filter + 10; policy accept;
    iifname "tailscale0" oifname "eth0" ip daddr 192.168.100.0/24 accept
    iifname "eth0" oifname "tailscale0" ct state established,related accept
  }
  chain postrouting {
    type nat hook postrouting priority srcnat + 10; policy accept;
    iifname "tailscale0" oifname "eth0" ip daddr 192.168.100.0/24 masquerade
  }
}
`);
  });

  test("Forgejo VM: no tailscale rules, no forwarding or masquerade", () => {
    expect(renderRuleset({ ...SQL, servicePorts: [3000], tailscale: false })).toBe(`table inet sovereign {
  chain input {
    type filter hook input priority filter + 10; policy drop;
    ct state established,related accept
    ct state invalid drop
    iifname "lo" accept
    meta l4proto { 1, 58 } accept
    iifname "eth0" ip saddr 192.168.100.0/24 tcp dport { 3000 } accept
    counter
  }
}
`);
  });

  test("the transaction creates, deletes and recreates only our table, tagged with the content hash", () => {
    const t = renderTransaction(SQL);
    expect(t.startsWith("table inet sovereign\ndelete table inet sovereign\ntable inet sovereign {\n  comment \"sovereign:")).toBe(true);
    expect(t).toContain(rulesetHash(renderRuleset(SQL)));
    expect(t).not.toMatch(/table ip (filter|nat)|ts-/);
    expect(rulesetHash(renderRuleset({ ...SQL, servicePorts: [5433] }))).not.toBe(rulesetHash(renderRuleset(SQL)));
  });
});

describe("preflight failure mapping", () => {
  const okPort: PreflightPort = { tun() {}, fwmarkRule() {}, async nftNat() {}, sysctl: () => "0" };
  test("all pass", async () => {
    const r = await runPreflight(okPort);
    expect(r.map((x) => [x.name, x.ok])).toEqual([["tun", true], ["fwmark-rule", true], ["nft-nat", true], ["forwarding-sysctls", true]]);
  });

  test("each induced failure names its CONFIG_ options and consequence; the rest still run", async () => {
    const r = await runPreflight({
      ...okPort,
      tun() { throw new SysError("create TUN device (TUNSETIFF)", 19); },
      fwmarkRule() { throw new SysError("add rule 32000: from all fwmark 0x10000/0xff0000 lookup 10052", 97); },
      async nftNat() { throw new Error("create nat chain with masquerade: nft: Error: Could not process rule: No such file or directory"); },
      sysctl: (k) => (k.includes("ipv6") ? undefined : "1"),
    });
    expect(r.every((x) => !x.ok)).toBe(true);
    expect(r[0]).toMatchObject({ detail: "create TUN device (TUNSETIFF): ENODEV (no such device)", configs: ["TUN"], consequence: `tailscaled exits: /dev/net/tun does not exist (CreateTUN("tailscale0") failed)` });
    expect(r[1].configs).toEqual(["IP_ADVANCED_ROUTER", "IP_MULTIPLE_TABLES", "FIB_RULES"]);
    expect(r[1].detail).toContain("EAFNOSUPPORT");
    expect(r[2].configs).toContain("NFT_MASQ");
    expect(r[2].consequence).toBe("no masquerade: forwarded tailnet traffic to 192.168.100.3 is dropped");
    expect(r[3].detail).toBe("read net.ipv6.conf.all.forwarding: absent (no IPv6)");
    const text = renderProbes(r).join("\n");
    expect(text).toContain("FAIL  tun");
    expect(text).toContain("hint: enable CONFIG_TUN=y in kernel/guest-*.config, rebuild (make kernel), and run kernel-check /proc/config.gz");
  });
});
