// QEMU accelerator choice (rootfs/vm.ts accelFor): forced by SOVEREIGN_ACCEL, TCG for a foreign
// architecture or without /dev/kvm, and otherwise a probe that says why KVM was not used.
import { afterEach, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { accelFor, qemuArgv } from "../../rootfs/vm.ts";

const saved = process.env.SOVEREIGN_ACCEL;
afterEach(() => { if (saved === undefined) delete process.env.SOVEREIGN_ACCEL; else process.env.SOVEREIGN_ACCEL = saved; });
const foreign = process.arch === "arm64" ? "x86_64" : "arm64";
const args = { kernel: "k", rootfs: "r", data: "d", config: "c", mac: "52:54:00:00:00:01", tap: "t", hvc: "h", serial: "s", wait: true };

test("SOVEREIGN_ACCEL forces the choice, and the QEMU argv follows it", () => {
  process.env.SOVEREIGN_ACCEL = "tcg";
  expect(accelFor()).toEqual({ kvm: false, why: "TCG (SOVEREIGN_ACCEL=tcg)" });
  expect(qemuArgv(args).join(" ")).toContain("-accel tcg -cpu max");
  process.env.SOVEREIGN_ACCEL = "kvm";
  expect(accelFor().kvm).toBe(true);
  expect(qemuArgv(args).join(" ")).toContain("-accel kvm -cpu host");
});

test("a guest of another architecture always runs under TCG, with a cortex-a72 on arm64", () => {
  delete process.env.SOVEREIGN_ACCEL;
  expect(accelFor(foreign)).toEqual({ kvm: false, why: `TCG (an ${foreign} guest on this ${process.arch} host)` });
  if (foreign === "arm64") expect(qemuArgv({ ...args, arch: "arm64" }).join(" ")).toContain("qemu-system-aarch64 -M virt -accel tcg -cpu cortex-a72");
});

test("on the host's own architecture the choice names its reason", () => {
  delete process.env.SOVEREIGN_ACCEL;
  const a = accelFor();
  if (!existsSync("/dev/kvm")) expect(a).toEqual({ kvm: false, why: "TCG (no /dev/kvm)" });
  else expect(a.why).toMatch(a.kvm ? /^KVM \(\/dev\/kvm works\)$/ : /^TCG \(\/dev\/kvm is present but QEMU cannot use it: .+\)$/);
});
