// Typed wrappers for the PID-1 syscalls. Each throws SysError("<verb> <object>", errno) on failure.
import { check, cstr, libc } from "./libc.ts";

/** mount(2) flags used by the boot table. */
export const MS = { RDONLY: 1, NOSUID: 2, NODEV: 4, NOEXEC: 8, REMOUNT: 32, NOATIME: 1024, BIND: 4096, REC: 16384 } as const;

/** reboot(2) commands (glibc adds the magic numbers). */
export const RB = { DISABLE_CAD: 0, POWER_OFF: 0x4321fedc, AUTOBOOT: 0x01234567 } as const;

/** Mount `source` on `target`; data is the fs-specific option string. */
export function mount(source: string, target: string, fstype: string, flags: number, data = ""): void {
  check(libc().mount(cstr(source), cstr(target), cstr(fstype), BigInt(flags), data ? cstr(data) : null), `mount ${fstype} on ${target}`);
}

/** Unmount `target`; flags 2 = MNT_DETACH (lazy). */
export function umount(target: string, flags = 0): void {
  check(libc().umount2(cstr(target), flags), `unmount ${target}`);
}

/** reboot(2). Callers must guard this with isPid1(). */
export function reboot(cmd: number): void {
  check(libc().reboot(cmd), `reboot(0x${cmd.toString(16)})`);
}

/** Flush filesystem buffers. */
export function sync(): void {
  libc().sync();
}

/** Set the UTS hostname. */
export function sethostname(name: string): void {
  const b = Buffer.from(name);
  check(libc().sethostname(b, BigInt(b.length)), `set hostname ${name}`);
}

/** glibc makedev() as a 64-bit dev_t. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major), mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n) | ((ma & ~0xfffn) << 32n);
}

/** Create a character device node. */
export function mknodChar(path: string, mode: number, major: number, minor: number): void {
  const S_IFCHR = 0o020000;
  check(libc().mknod(cstr(path), S_IFCHR | mode, makedev(major, minor)), `create device node ${path}`);
}

/** True when this process is PID 1 of its pid namespace (the only case allowed machine-wide effects). */
export function isPid1(): boolean {
  return libc().getpid() === 1;
}

/** prctl(PR_SET_CHILD_SUBREAPER): orphans below us reparent to us (tests outside a pid namespace). */
export function setChildSubreaper(): void {
  check(libc().prctl(36, 1n, 0n, 0n, 0n), "set child subreaper");
}

/** RLIMIT numbers (same on x86-64 and arm64). */
export const RLIMIT = { CORE: 4, NOFILE: 7, NPROC: 6, MEMLOCK: 8 } as const;

/** Read a resource limit as [soft, hard]. */
export function getrlimit(resource: number): [bigint, bigint] {
  const b = new BigUint64Array(2);
  check(libc().getrlimit(resource, b), `read rlimit ${resource}`);
  return [b[0], b[1]];
}

/** Set a resource limit. */
export function setrlimit(resource: number, soft: bigint, hard: bigint): void {
  check(libc().setrlimit(resource, new BigUint64Array([soft, hard])), `set rlimit ${resource}`);
}

/** A close-on-exec pipe: [read end, write end]. */
export function pipe(): [number, number] {
  const fds = new Int32Array(2);
  check(libc().pipe2(fds, 0x80000), "create pipe");
  return [fds[0], fds[1]];
}
