// QEMU guests for the VM tier: TCG (KVM when /dev/kvm exists), hvc0 as a unix socket (wait=on, so
// nothing the agent prints is lost), ttyS0/ttyAMA0 to a log file, no default devices (-nodefaults:
// QEMU would otherwise add a NIC on the host's network), a hard timeout on every run.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Socket, Subprocess } from "bun";
import { ConsoleDriver } from "./console.ts";
import { waitFor } from "./poll.ts";
import { accelFor } from "../../rootfs/vm.ts";

export interface VmOptions {
  arch: "x86_64" | "arm64";
  kernel: string;
  initrd?: string;
  disks?: string[];             // raw images, vda, vdb, ...
  append: string;
  dir: string;                  // scratch: sockets and logs
  netns?: string;               // run inside this network namespace
  tap?: string;                 // TAP device (in netns) for virtio-net
  mac?: string;
  memMb?: number;
  timeoutS?: number;
  name: string;
}

/** A QEMU process plus a console driver on its hvc0 socket. */
export class Vm extends ConsoleDriver {
  private sock?: Socket<undefined>;
  readonly log: string;
  private constructor(readonly proc: Subprocess, readonly o: VmOptions) {
    super();
    this.log = join(o.dir, `${o.name}-serial.log`);
  }

  /** The QEMU argument vector for these options. */
  static argv(o: VmOptions): string[] {
    const hvc = join(o.dir, `${o.name}-hvc.sock`);
    const kvm = accelFor(o.arch).kvm;
    const base = o.arch === "arm64"
      ? ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72"]
      : ["qemu-system-x86_64", "-M", "q35", ...(kvm ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg", "-cpu", "max"])];
    const a = [...base, "-smp", "2", "-m", String(o.memMb ?? 1024), "-nodefaults", "-no-reboot", "-display", "none",
      "-serial", `file:${join(o.dir, `${o.name}-serial.log`)}`, "-kernel", o.kernel, "-append", o.append,
      "-device", "virtio-serial-pci", "-chardev", `socket,id=hvc,path=${hvc},server=on,wait=on`, "-device", "virtconsole,chardev=hvc",
      "-device", "virtio-rng-pci"];
    if (o.initrd) a.push("-initrd", o.initrd);
    for (const [i, d] of (o.disks ?? []).entries()) a.push("-drive", `file=${d},if=virtio,format=raw,index=${i}`);
    if (o.tap) a.push("-netdev", `tap,id=n0,ifname=${o.tap},script=no,downscript=no`, "-device", `virtio-net-pci,netdev=n0,mac=${o.mac ?? "52:54:00:00:09:02"}`);
    return a;
  }

  /** Start QEMU under a hard timeout and connect to hvc0 (QEMU waits for us before booting). */
  static async start(o: VmOptions): Promise<Vm> {
    return Vm.startArgv(Vm.argv(o), o);
  }

  /** Start a prepared QEMU argv (its hvc socket must be DIR/NAME-hvc.sock, serial DIR/NAME-serial.log). */
  static async startArgv(qemu: string[], o: Pick<VmOptions, "name" | "dir" | "netns" | "timeoutS">): Promise<Vm> {
    const argv = ["timeout", "--kill-after=10", String(o.timeoutS ?? 300), ...qemu];
    // Own process group: a hard kill must reach QEMU, not just the `timeout` wrapper.
    const proc = Bun.spawn(o.netns ? ["ip", "netns", "exec", o.netns, ...argv] : argv, { stdout: "ignore", stderr: Bun.file(join(o.dir, `${o.name}-qemu.err`)), detached: true });
    const vm = new Vm(proc, o as VmOptions);
    const hvc = join(o.dir, `${o.name}-hvc.sock`);
    await waitFor("QEMU hvc socket", () => existsSync(hvc) || proc.exitCode !== null, 30_000);
    if (proc.exitCode !== null) throw new Error(`start qemu: exited ${proc.exitCode}: ${readFileSync(join(o.dir, `${o.name}-qemu.err`), "utf8")}`);
    vm.sock = await Bun.connect({
      unix: hvc,
      socket: { data: (_s, d) => { vm.out += new TextDecoder().decode(d); }, close: () => {}, error: () => {} },
    });
    return vm;
  }

  send(s: string | Uint8Array): void {
    this.sock?.write(s);
  }

  /** What the kernel and agent printed on the serial port. */
  serial(): string {
    try { return readFileSync(this.log, "utf8"); } catch { return ""; }
  }

  /** Wait for QEMU to exit; returns its exit code. */
  async exited(timeoutMs = 120_000): Promise<number> {
    const t = setTimeout(() => this.kill(), timeoutMs);
    const code = await this.proc.exited;
    clearTimeout(t);
    return code;
  }

  /** Kill QEMU hard (the "pull the plug" case): the whole process group. */
  kill(): void {
    try { process.kill(-this.proc.pid, "SIGKILL"); } catch { /* gone */ }
  }
}
