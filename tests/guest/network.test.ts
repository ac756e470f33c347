// A namespace guest configures its NIC purely through netlink at boot; `ctl net` shows it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { IS_ROOT, NEED_ROOT } from "../helpers/env.ts";
import { NsGuest } from "../helpers/guest.ts";
import { waitFor } from "../helpers/poll.ts";
import { Phone } from "../helpers/topology.ts";

describe.skipIf(!IS_ROOT)(`guest network ${IS_ROOT ? "" : NEED_ROOT}`, () => {
  let phone: Phone, g: NsGuest;
  beforeAll(async () => {
    phone = await Phone.create();
    const ns = await phone.attach("sql", "52:54:00:00:00:02");
    g = await NsGuest.boot({
      name: "net", netns: ns.name,
      toml: `role = "sql"\n[log]\nkmsg = false\n[postgres]\nenabled = false\n[tailscale]\nenabled = true\naccept_routes = true\n`,
      cmdline: "sovereign.iface=52:54:00:00:00:02 sovereign.mtu=1400 sovereign.tailscale.tailscaled=/nonexistent",
    });
  });
  afterAll(async () => { await g?.stop(); await phone?.del(); });

  test("boot configures eth0 by MAC: up, MTU, address, default route, guard, forwarding", async () => {
    const s = await g.status();
    const phase = s.boot.phases.find((p: any) => p.name === "network");
    expect(phase.ok).toBe(true);
    expect(phase.note).toBe("eth0 192.168.100.2/24 mtu 1400 via 192.168.100.1; 4 change(s); LAN guard on");
    const net = await g.ctl(["net"]);
    expect(net.code).toBe(0);
    expect(net.stdout).toMatch(/: eth0: UP mtu 1400 link 52:54:00:00:00:02/);
    expect(net.stdout).toContain("eth0: inet 192.168.100.2/24");
    expect(net.stdout).toContain("default via 192.168.100.1 dev eth0");
    expect(net.stdout).toContain("5200: from all to 192.168.100.0/24 lookup main");
    expect(net.stdout).toContain("net.ipv4.ip_forward = 1");
    expect(net.stdout).toContain("net.ipv4.conf.all.rp_filter = 2");
    const j = JSON.parse((await g.ctl(["net", "--json"])).stdout);
    expect(j.addrs.some((a: any) => a.local === "192.168.100.2" && a.prefixlen === 24)).toBe(true);
    expect(j.sysctls["net.ipv4.ip_forward"]).toBe("1");
  });

  test("diag shows every kernel probe and network check passing; fw shows our table", async () => {
    // tailscaled is deliberately missing here, so diag fails overall; the kernel and net rows must pass
    const d = await g.ctl(["diag"]);
    const out = d.stdout + d.stderr;
    for (const probe of ["kernel:tun", "kernel:fwmark-rule", "kernel:nft-nat", "kernel:forwarding-sysctls", "net:nic", "net:address", "net:default-route", "net:forwarding"]) {
      expect(out).toMatch(new RegExp(`^PASS  ${probe} `, "m"));
    }
    expect(out).toMatch(/^FAIL  service:tailscaled +backoff/m);
    expect(out).toContain("hint: see `logs tailscaled` and `deaths tailscaled`");
    expect(d.code).toBe(1);
    const fw = await g.ctl(["fw"]);
    expect(fw.code).toBe(0);
    expect(fw.stdout).toContain("table inet sovereign {");
    expect(fw.stdout).toContain(`iifname "tailscale0" tcp dport 5432 accept`);
    expect(fw.stdout).toContain("masquerade");
    const s = await g.status();
    expect(s.boot.phases.find((p: any) => p.name === "preflight")).toMatchObject({ ok: true, note: "4 probes passed" });
    expect(s.boot.phases.find((p: any) => p.name === "firewall")).toMatchObject({ ok: true, note: "inet sovereign applied (input policy drop)" });
  });

  test("the phone reaches the guest on the bridge", async () => {
    await waitFor("ping 192.168.100.2", async () => {
      try { await phone.ns.exec(["ping", "-c1", "-W1", "192.168.100.2"]); return true; } catch { return false; }
    }, 10_000);
  });
});
