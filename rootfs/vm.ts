// Shared VM plumbing for `make run` and the VM tier: the private network (bridge + TAPs in a
// namespace), data and config disks, and the QEMU command line per role.
import { $, fs, path } from "zx";

/** The two guests: name, MAC, address. */
export const GUESTS = [
  { role: "sql", mac: "52:54:00:5a:00:02", ip: "192.168.100.2", tap: "tap-sql" },
  { role: "forgejo", mac: "52:54:00:5a:00:03", ip: "192.168.100.3", tap: "tap-forgejo" },
] as const;

/** Create netns `ns` holding br0 192.168.100.1/24 and one TAP per guest (idempotent: recreated). */
export async function createNetwork(ns: string): Promise<void> {
  $.verbose = false;
  await $`ip netns del ${ns}`.nothrow().quiet();
  await $`ip netns add ${ns}`;
  const ip = (...a: string[]) => $`ip -n ${ns} ${a}`;
  await ip("link", "set", "lo", "up");
  await ip("link", "add", "br0", "type", "bridge");
  await ip("addr", "add", "192.168.100.1/24", "dev", "br0");
  await ip("link", "set", "br0", "up");
  for (const g of GUESTS) {
    await ip("tuntap", "add", "dev", g.tap, "mode", "tap");
    await ip("link", "set", g.tap, "master", "br0", "up");
  }
}

/** A labelled ext4 disk, created only if missing (data disks must survive rebuilds). */
export async function ensureDisk(file: string, label: string, size: string, fromDir?: string): Promise<boolean> {
  if (fs.existsSync(file)) return false;
  await fs.mkdirp(path.dirname(file));
  await $`mke2fs -q -t ext4 -L ${label} ${fromDir ? ["-d", fromDir] : []} ${file} ${size}`;
  return true;
}

/** The config disk: the shared Forgejo DB password, generated once (0600), on an ext4 labelled sovereign-cfg. */
export async function ensureConfigDisk(stateDir: string): Promise<string> {
  const dir = path.join(stateDir, "config");
  const pw = path.join(dir, "forgejo-db.password");
  if (!fs.existsSync(pw)) {
    await fs.mkdirp(dir, { mode: 0o700 });
    const bytes = crypto.getRandomValues(new Uint8Array(24));
    await fs.writeFile(pw, Buffer.from(bytes).toString("base64url") + "\n", { mode: 0o600 });
  }
  const img = path.join(stateDir, "config.img");
  await fs.remove(img);
  await ensureDisk(img, "sovereign-cfg", "8M", dir);
  return img;
}

/** How QEMU will run guests of `arch` on this host, and why: KVM when /dev/kvm exists and actually
 *  works, else TCG. SOVEREIGN_ACCEL=tcg|kvm forces the choice. */
export function accelFor(arch: "x86_64" | "arm64" = "x86_64"): { kvm: boolean; why: string } {
  const forced = process.env.SOVEREIGN_ACCEL;
  if (forced === "tcg") return { kvm: false, why: "TCG (SOVEREIGN_ACCEL=tcg)" };
  if (forced === "kvm") return { kvm: true, why: "KVM (SOVEREIGN_ACCEL=kvm)" };
  if (arch !== (process.arch === "arm64" ? "arm64" : "x86_64")) return { kvm: false, why: `TCG (an ${arch} guest on this ${process.arch} host)` };
  if (!fs.existsSync("/dev/kvm")) return { kvm: false, why: "TCG (no /dev/kvm)" };
  return kvmProbe(arch);
}

let probed: { kvm: boolean; why: string } | undefined;
/** Some nested hosts expose a /dev/kvm that QEMU then aborts on at vCPU reset (seen on this CI class:
 *  "failed to set MSR 0x10a"). Probe once: a paused KVM QEMU must survive a QMP handshake and quit. */
function kvmProbe(arch: "x86_64" | "arm64"): { kvm: boolean; why: string } {
  if (probed) return probed;
  const qemu = arch === "arm64" ? ["qemu-system-aarch64", "-M", "virt"] : ["qemu-system-x86_64", "-M", "q35"];
  const p = Bun.spawnSync(["timeout", "30", ...qemu, "-accel", "kvm", "-cpu", "host", "-m", "64", "-nodefaults", "-display", "none", "-S", "-qmp", "stdio"], {
    stdin: new TextEncoder().encode('{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n'), stdout: "ignore", stderr: "pipe",
  });
  const err = p.stderr.toString().split("\n").find((l) => l.includes("error")) ?? `exit ${p.exitCode}`;
  probed = p.exitCode === 0 ? { kvm: true, why: "KVM (/dev/kvm works)" } : { kvm: false, why: `TCG (/dev/kvm is present but QEMU cannot use it: ${err.replace(/^qemu-system-\w+: (error: )?/, "")})` };
  return probed;
}

/** QEMU argv for a guest (x86-64 by default; arm64 on QEMU's virt board). `wait` holds QEMU until a client connects to hvc0. */
export function qemuArgv(o: { arch?: "x86_64" | "arm64"; kernel: string; rootfs: string; data: string; config: string; mac: string; tap: string; hvc: string; serial: string; wait: boolean; snapshot?: boolean; cmdline?: string }): string[] {
  const arm = o.arch === "arm64";
  const kvm = accelFor(o.arch).kvm;
  const machine = arm ? ["qemu-system-aarch64", "-M", "virt"] : ["qemu-system-x86_64", "-M", "q35"];
  return [
    ...machine, ...(kvm ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg", "-cpu", arm ? "cortex-a72" : "max"]),
    "-smp", "2", "-m", "1024", "-nodefaults", "-no-reboot", "-display", "none",
    "-kernel", o.kernel, "-append", `console=${arm ? "ttyAMA0" : "ttyS0"} panic=-1 root=/dev/vda rw init=/sbin/sovereign-init sovereign.iface=${o.mac} ${o.cmdline ?? ""}`.trim(),
    "-drive", `file=${o.rootfs},if=virtio,format=raw,index=0${o.snapshot ? ",snapshot=on" : ""}`,
    "-drive", `file=${o.data},if=virtio,format=raw,index=1`,
    "-drive", `file=${o.config},if=virtio,format=raw,index=2,readonly=on`,
    "-netdev", `tap,id=n0,ifname=${o.tap},script=no,downscript=no`, "-device", `virtio-net-pci,netdev=n0,mac=${o.mac}`,
    "-device", "virtio-serial-pci", "-chardev", `socket,id=hvc,path=${o.hvc},server=on,wait=${o.wait ? "on" : "off"}`, "-device", "virtconsole,chardev=hvc",
    "-serial", `file:${o.serial}`, "-device", "virtio-rng-pci",
  ];
}
