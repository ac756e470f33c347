import { test } from "bun:test";
import { Vm } from "./helpers/qemu.ts";
import { scratch } from "./helpers/env.ts";
import { clean } from "./helpers/console.ts";
test("dbg", async () => {
  const dir = scratch("vmdbg");
  const t0 = Date.now();
  const vm = await Vm.start({ arch: "arm64", name: "a", dir, kernel: "out/kernel-arm64/Image", initrd: "out/initramfs-arm64.cpio", append: "console=ttyAMA0 panic=-1 sovereign.console=/dev/hvc0 sovereign.net.enabled=0" });
  await vm.expect("sovereign-sql> ", 0, 120_000);
  console.log("prompt at", Date.now() - t0);
  console.log(clean(await vm.command("status", "sovereign-sql> ", 60_000)));
  vm.send("poweroff\r");
  console.log("exit", await vm.exited());
  console.log(vm.serial().slice(-1500));
}, 200000);
