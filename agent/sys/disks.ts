// Block devices by filesystem label, read straight from the ext4 superblock (no udev, no blkid in
// the guest), and the data/config disk mounts.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync } from "node:fs";
import { mountedTargets } from "./mounts.ts";
import { MS, mount } from "./syscalls.ts";

/** The ext4 label in a superblock buffer (bytes 1024..2047 of the device), or undefined. */
export function ext4Label(sb: Uint8Array): string | undefined {
  // superblock at 1024; s_magic 0xEF53 at +0x38 (LE); s_volume_name[16] at +0x78
  if (sb.length < 1024 + 0x88 || sb[1024 + 0x38] !== 0x53 || sb[1024 + 0x39] !== 0xef) return undefined;
  return new TextDecoder().decode(sb.subarray(1024 + 0x78, 1024 + 0x88)).replace(/\0.*$/s, "");
}

/** /dev path of the block device whose ext4 label is `label`, if any. */
export function findByLabel(label: string, sysBlock = "/sys/class/block", dev = "/dev"): string | undefined {
  let names: string[];
  try { names = readdirSync(sysBlock); } catch { return undefined; }
  for (const n of names.sort()) {
    const path = `${dev}/${n}`;
    if (!existsSync(path)) continue;
    let fd = -1;
    try {
      fd = openSync(path, "r");
      const buf = new Uint8Array(2048);
      readSync(fd, buf, 0, 2048, 0);
      if (ext4Label(buf) === label) return path;
    } catch { /* not readable: skip */ } finally { if (fd >= 0) closeSync(fd); }
  }
  return undefined;
}

/** Mount the ext4 filesystem labelled `label` at `target` unless it is already there. */
export function mountLabel(label: string, target: string, readOnly = false): string {
  if (mountedTargets().has(target)) return `${target} already mounted`;
  const devPath = findByLabel(label);
  if (!devPath) return "";
  mkdirSync(target, { recursive: true });
  mount(devPath, target, "ext4", MS.NOATIME | MS.NOSUID | MS.NODEV | (readOnly ? MS.RDONLY : 0));
  return `${devPath} (${label}) on ${target}${readOnly ? " read-only" : ""}`;
}
