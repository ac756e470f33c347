#!/usr/bin/env bun
// A small initramfs for the arm64 smoke test (and quick x86 checks): the init stub, the agent,
// glibc and nftables unpacked from Debian's arm64/amd64 packages (never installed on the host),
// and a test config. Uncompressed cpio: no slow in-guest decompression under TCG.
//   bun rootfs/initramfs.ts --arch arm64|x64 [--out out/initramfs-arm64.cpio]
import { $, argv, fs, path } from "zx";

const arch = (argv.arch as string) ?? "arm64";
const A: Record<string, { deb: string; triple: string; loader: string; cc: string }> = {
  arm64: { deb: "arm64", triple: "aarch64-linux-gnu", loader: "ld-linux-aarch64.so.1", cc: "aarch64-linux-gnu-gcc" },
  x64: { deb: "amd64", triple: "x86_64-linux-gnu", loader: "ld-linux-x86-64.so.2", cc: "gcc" },
};
const a = A[arch];
if (!a) throw new Error(`initramfs: unknown arch ${arch} (want arm64 or x64)`);
const out = (argv.out as string) ?? `out/initramfs-${arch}.cpio`;
const debs = `/var/cache/sovereign/debs-${a.deb}`;
const PKGS = ["libc6", "nftables", "libnftables1", "libmnl0", "libnftnl11", "libjansson4", "libgmp10", "libxtables12", "libedit2", "libbsd0", "libmd0", "libtinfo6"];
$.verbose = false;
const log = (s: string) => console.log(`initramfs[${arch}]: ${s}`);

if (!fs.existsSync(debs) || (await fs.readdir(debs)).filter((f) => f.endsWith(".deb")).length < PKGS.length) {
  log(`downloading ${PKGS.length} Debian ${a.deb} packages into ${debs}`);
  if (a.deb !== "amd64" && !(await $`dpkg --print-foreign-architectures`).stdout.includes(a.deb)) {
    await $`dpkg --add-architecture ${a.deb}`;
    await $`apt-get update -qq`;
  }
  await fs.mkdirp(debs);
  await $({ cwd: debs })`apt-get download ${PKGS.map((p) => `${p}:${a.deb}`)}`;
}
const root = `${out}.d`;
await fs.remove(root);
for (const d of ["proc", "sys", "dev", "run", "tmp", "etc/sovereign", "usr/local/bin", "sbin", "root", "var/lib/sovereign"]) await fs.mkdirp(path.join(root, d));
for (const f of (await fs.readdir(debs)).filter((x) => x.endsWith(".deb"))) await $`dpkg-deb -x ${path.join(debs, f)} ${root}`;
// Debian's usrmerge layout: make /lib point at /usr/lib if the debs unpacked into /lib
if (!fs.existsSync(path.join(root, "lib", a.loader)) && fs.existsSync(path.join(root, "usr/lib", a.loader))) await fs.symlink("usr/lib", path.join(root, "lib"));
await fs.remove(path.join(root, "usr/share"));
await $`${a.cc} -static -Os -o ${path.join(root, "init")} rootfs/init-stub.c`;
await fs.symlink("../init", path.join(root, "sbin/sovereign-init")); // also the agent's spawn helper
await fs.copy(`out/sovereign-agent-${arch}`, path.join(root, "usr/local/bin/sovereign-agent"));
// nft resolves protocol and service names (icmp, tcp) through these arch-independent tables
for (const f of ["/etc/protocols", "/etc/services"]) await fs.copy(f, path.join(root, f));
await fs.writeFile(path.join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
await fs.writeFile(path.join(root, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
await fs.writeFile(path.join(root, "etc/sovereign/agent.toml"), `# arm64 smoke test: PID 1, netlink, preflight, console; no services
role = "sql"
[console]
debug_shell = true
[tailscale]
enabled = false
[postgres]
enabled = false
`);
await $`sh -c ${`cd ${root} && find . | cpio -o -H newc --owner=0:0 --quiet > ${path.resolve(out)}`}`;
log(`${out} ${((await fs.stat(out)).size / 1048576).toFixed(1)} MiB`);
