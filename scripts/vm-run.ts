#!/usr/bin/env bun
// `make run`: build what is missing (kernel, images, disks), create the private bridge network, boot
// the SQL and Forgejo guests under QEMU, and attach to the SQL console.
import { $, argv as args, fs, path } from "zx";
import { accelFor, createNetwork, ensureConfigDisk, ensureDisk, GUESTS, qemuArgv } from "../rootfs/vm.ts";

const ARCH = ((args.arch as string) ?? "x86_64") as "x86_64" | "arm64"; // arm64: the phone's architecture, emulated
if (ARCH !== "x86_64" && ARCH !== "arm64") throw new Error(`run: unknown ARCH ${ARCH} (want x86_64 or arm64)`);
const NS = "sovereign-run";
const RUN = path.resolve("out/run");
// data disks + secrets: never deleted by builds; one set per architecture (a PostgreSQL cluster is
// not guaranteed portable between architectures)
const STATE = path.resolve(ARCH === "arm64" ? "out/state-arm64" : "out/state");
const KERNEL = ARCH === "arm64" ? "out/kernel-arm64/Image" : "out/kernel-x86_64/bzImage";
const IMG = ARCH === "arm64" ? "arm64" : "x64";
$.verbose = false;
const say = (s: string) => console.log(`run: ${s}`);

await fs.mkdirp(RUN);
for (const g of GUESTS) {
  const pid = path.join(RUN, `${g.role}.pid`);
  if (fs.existsSync(pid) && fs.existsSync(`/proc/${(await fs.readFile(pid, "utf8")).trim()}`)) throw new Error(`run: the ${g.role} VM is already running (make stop first)`);
}
say(`accelerator: ${accelFor(ARCH).why}`);
const config = await ensureConfigDisk(STATE);
await createNetwork(NS);
say(`network: namespace ${NS}, br0 192.168.100.1/24, ${GUESTS.map((g) => g.tap).join(", ")}`);
for (const g of GUESTS) {
  const data = path.join(STATE, `data-${g.role}.img`);
  if (await ensureDisk(data, "sovereign-data", "4G")) say(`created data disk ${data} (first run)`);
  const argv = qemuArgv({
    arch: ARCH, kernel: KERNEL, rootfs: `out/images/${g.role}-${IMG}.img`, data, config, mac: g.mac, tap: g.tap,
    hvc: path.join(RUN, `${g.role}-hvc.sock`), serial: path.join(RUN, `${g.role}-serial.log`), wait: false,
  });
  const p = Bun.spawn(["ip", "netns", "exec", NS, ...argv], { stdout: "ignore", stderr: Bun.file(path.join(RUN, `${g.role}-qemu.err`)), detached: true });
  p.unref();
  await fs.writeFile(path.join(RUN, `${g.role}.pid`), `${p.pid}\n`);
  say(`${g.role}: booting ${g.ip} on ${ARCH} (QEMU pid ${p.pid}); console socket ${path.join(RUN, `${g.role}-hvc.sock`)}, kernel log ${path.join(RUN, `${g.role}-serial.log`)}`);
}
say(`data disks and the shared DB password: ${STATE} (kept across runs)`);
say(`other console: socat -,rawer,escape=0x1d UNIX-CONNECT:${RUN}/forgejo-hvc.sock   (Ctrl-] detaches)`);
say(`stop both cleanly: make stop   (or 'poweroff' on each console)`);
if (process.stdin.isTTY) {
  say("attaching to the SQL console (Ctrl-] detaches; type 'help')");
  await $({ stdio: "inherit" })`socat -,rawer,escape=0x1d UNIX-CONNECT:${RUN}/sql-hvc.sock`.nothrow();
}
