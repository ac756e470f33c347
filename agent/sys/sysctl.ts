// Sysctls under a configurable /proc/sys root, read before written (a write only when it differs).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One wanted sysctl; `optional` ones are skipped when the kernel lacks them (e.g. no IPv6). */
export interface SysctlWant { key: string; value: string; why: string; optional?: boolean }

/** Path of a dotted sysctl key. */
export function sysctlPath(key: string, root = "/proc/sys"): string {
  return join(root, ...key.split("."));
}

/** Read a sysctl, or undefined when it does not exist. */
export function readSysctl(key: string, root = "/proc/sys"): string | undefined {
  try { return readFileSync(sysctlPath(key, root), "utf8").trim(); } catch { return undefined; }
}

/** Ensure each sysctl; returns the keys changed. Throws "set sysctl K=V: cause" for a required one. */
export function ensureSysctls(wants: SysctlWant[], root = "/proc/sys"): { changed: string[]; skipped: string[] } {
  const changed: string[] = [], skipped: string[] = [];
  for (const w of wants) {
    const p = sysctlPath(w.key, root);
    if (!existsSync(p)) {
      if (w.optional) { skipped.push(w.key); continue; }
      throw new Error(`set sysctl ${w.key}=${w.value}: ${p} does not exist`);
    }
    if (readSysctl(w.key, root) === w.value) continue;
    try { writeFileSync(p, w.value); } catch (e) { throw new Error(`set sysctl ${w.key}=${w.value}: ${(e as Error).message}`); }
    changed.push(w.key);
  }
  return { changed, skipped };
}

/** Sysctls a subnet router needs (tailscaled does not set forwarding itself: reference/tailscale.md §2). */
export function routerSysctls(iface: string): SysctlWant[] {
  return [
    { key: "net.ipv4.ip_forward", value: "1", why: "forward tailnet → LAN (subnet router)" },
    { key: "net.ipv6.conf.all.forwarding", value: "1", why: "tailscale up checks v4 and v6 forwarding", optional: true },
    { key: "net.ipv4.conf.all.rp_filter", value: "2", why: "loose reverse-path filter: replies to 100.x leave via tailscale0" },
    { key: "net.ipv4.conf.default.rp_filter", value: "2", why: "same for interfaces created later (tailscale0)" },
    { key: `net.ipv4.conf.${iface}.rp_filter`, value: "2", why: "the kernel uses the max of all and the interface", optional: true },
  ];
}
