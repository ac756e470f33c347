// arm64 smoke: our arm64 kernel boots the arm64 agent as PID 1 under qemu-system-aarch64 (TCG,
// cortex-a72). Proves the arch-specific FFI (syscalls, netlink incl. policy rules, termios, reaping,
// reboot) on a real arm64 kernel, which qemu-user cannot (it has no netlink rule support).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { IS_ROOT, NEED_ROOT, ROOT, scratch } from "../helpers/env.ts";
import { clean } from "../helpers/console.ts";
import { NetNs } from "../helpers/netns.ts";
import { waitFor } from "../helpers/poll.ts";
import { Vm } from "../helpers/qemu.ts";

const KERNEL = join(ROOT, "out/kernel-arm64/Image");
const INITRD = join(ROOT, "out/initramfs-arm64.cpio");
const READY = existsSync(KERNEL) && existsSync(INITRD);
const P = "sovereign-sql> ";

describe.skipIf(!IS_ROOT || !READY)(`arm64 VM smoke ${!IS_ROOT ? NEED_ROOT : READY ? "" : "SKIPPED: run `make vm-artifacts` (kernel + initramfs) first; make test does it"}`, () => {
  let ns: NetNs, vm: Vm;
  beforeAll(async () => {
    ns = await NetNs.create("arm");
    await ns.ip("link", "add", "br0", "type", "bridge");
    await ns.ip("addr", "add", "192.168.100.1/24", "dev", "br0");
    await ns.ip("link", "set", "br0", "up");
    await ns.ip("tuntap", "add", "dev", "tap0", "mode", "tap");
    await ns.ip("link", "set", "tap0", "master", "br0", "up");
    vm = await Vm.start({
      arch: "arm64", name: "arm64", dir: scratch("arm64"), kernel: KERNEL, initrd: INITRD, netns: ns.name, tap: "tap0", mac: "52:54:00:00:0a:02",
      append: "console=ttyAMA0 panic=-1 sovereign.console=/dev/hvc0 sovereign.iface=52:54:00:00:0a:02", timeoutS: 240,
    });
    await vm.expect("agent: boot finished", 0, 120_000);
    await vm.expect(P, vm.out.indexOf("boot finished"));
  }, 180_000);
  afterAll(async () => { if (vm && vm.proc.exitCode === null) vm.kill(); await ns?.del(); });

  test("every boot phase succeeds and the agent is PID 1", async () => {
    const s = JSON.parse(clean(await vm.command("status --json", P, 60_000)).replace(/^status --json\n/, ""));
    expect(s.pid1).toBe(true);
    expect(s.boot.phases.filter((p: any) => !p.ok)).toEqual([]);
    expect(s.boot.phases.map((p: any) => p.name)).toEqual(["mounts", "cad", "config", "control", "console", "disks", "hostname", "devices", "preflight", "network", "firewall", "tailscale", "services"]);
    expect(s.boot.phases.find((p: any) => p.name === "cad").note).toBe("Ctrl-Alt-Del arrives as SIGINT");
  }, 90_000);

  test("eth0 is configured through netlink; an fwmark rule and a table-52 route round-trip", async () => {
    const net = clean(await vm.command("net", P, 60_000));
    expect(net).toContain("eth0: inet 192.168.100.2/24");
    expect(net).toContain("default via 192.168.100.1 dev eth0");
    expect(clean(await vm.command("_netlink-selftest eth0", P, 60_000))).toContain("netlink selftest passed");
    await waitFor("ping the arm64 guest", async () => { try { await ns.exec(["ping", "-c1", "-W2", "192.168.100.2"]); return true; } catch { return false; } }, 30_000);
  }, 90_000);

  test("the runtime preflight passes and kernel-check /proc/config.gz exits 0", async () => {
    const d = clean(await vm.command("diag", P, 60_000));
    for (const probe of ["kernel:tun", "kernel:fwmark-rule", "kernel:nft-nat", "kernel:forwarding-sysctls"]) expect(d).toMatch(new RegExp(`^PASS  ${probe} `, "m"));
    const k = clean(await vm.command("kernel-check", P, 60_000));
    expect(k).toContain("kernel-check: /proc/config.gz: Linux 6.1");
    expect(k).toMatch(/result: all \d+ required options present/);
  }, 90_000);

  test("an orphan is reaped", async () => {
    expect(clean(await vm.command("_reap-test", P, 90_000))).toContain("orphans reaped: 1; zombies left: 0");
  }, 120_000);

  test("poweroff ends QEMU with exit 0", async () => {
    vm.send("poweroff\r");
    expect(await vm.exited(120_000)).toBe(0);
    expect(vm.serial()).toContain("reboot: Power down");
  }, 150_000);
});
