// The boot mount table (PID 1 only) and idempotent mounting.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { MS, mount } from "./syscalls.ts";

/** One boot mount. `why` says what needs it. */
export interface MountSpec { source: string; target: string; fstype: string; flags: number; data?: string; why: string }

/** Mounts done at boot, in order. /proc is mounted by the init stub (Bun cannot start without it). */
export const BOOT_MOUNTS: readonly MountSpec[] = [
  { source: "proc", target: "/proc", fstype: "proc", flags: MS.NOSUID | MS.NODEV | MS.NOEXEC, why: "Bun and every tool read /proc" },
  { source: "sysfs", target: "/sys", fstype: "sysfs", flags: MS.NOSUID | MS.NODEV | MS.NOEXEC, why: "device and net sysfs" },
  { source: "devtmpfs", target: "/dev", fstype: "devtmpfs", flags: MS.NOSUID, data: "mode=0755", why: "device nodes incl. /dev/net/tun (not nodev)" },
  { source: "devpts", target: "/dev/pts", fstype: "devpts", flags: MS.NOSUID | MS.NOEXEC, data: "gid=5,mode=620,ptmxmode=666", why: "ptys for the debug shell" },
  { source: "tmpfs", target: "/dev/shm", fstype: "tmpfs", flags: MS.NOSUID | MS.NODEV, data: "mode=1777", why: "POSIX shared memory (PostgreSQL dynamic_shared_memory)" },
  { source: "tmpfs", target: "/run", fstype: "tmpfs", flags: MS.NOSUID | MS.NODEV, data: "mode=0755", why: "sockets and pid files" },
  { source: "tmpfs", target: "/tmp", fstype: "tmpfs", flags: MS.NOSUID | MS.NODEV, data: "mode=1777", why: "scratch space" },
  { source: "cgroup2", target: "/sys/fs/cgroup", fstype: "cgroup2", flags: MS.NOSUID | MS.NODEV | MS.NOEXEC, data: "nsdelegate", why: "per-service cgroups" },
];

/** Mount points currently mounted, with their fs type (from /proc/self/mountinfo). */
export function mountedTargets(): Map<string, string> {
  const m = new Map<string, string>();
  try {
    for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
      const f = line.split(" ");
      const sep = f.indexOf("-");
      if (sep > 0) m.set(f[4].replace(/\\040/g, " "), f[sep + 1]);
    }
  } catch { /* no /proc: nothing is mounted */ }
  return m;
}

/** Mount each spec unless its target already has that fs type. Returns what was done, for the log. */
export function mountAll(specs: readonly MountSpec[]): string[] {
  const done: string[] = [];
  for (const s of specs) {
    if (mountedTargets().get(s.target) === s.fstype) continue;
    if (!existsSync(s.target)) mkdirSync(s.target, { recursive: true });
    mount(s.source, s.target, s.fstype, s.flags, s.data);
    done.push(s.target);
  }
  return done;
}
