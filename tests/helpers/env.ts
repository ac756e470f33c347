// Test environment facts: privilege, the compiled agent, scratch dirs outside /tmp and /run
// (a namespace guest mounts fresh tmpfs over those, hiding what the host put there).
import { existsSync, mkdtempSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
export const AGENT = join(ROOT, "out", process.arch === "arm64" ? "sovereign-agent-arm64" : "sovereign-agent-x64");
export const IS_ROOT = process.getuid?.() === 0;

/** Reason string for skipIf: loud, names what is missing. */
export const NEED_ROOT = "SKIPPED: needs root (namespaces, netlink, nftables); CI runs as root";

/** A fresh scratch dir under /var/tmp/sovereign-tests. */
export function scratch(prefix: string): string {
  const base = "/var/tmp/sovereign-tests";
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${prefix}-`));
}

/** Fail early with a hint when the compiled agent is missing. */
export function needAgent(): string {
  if (!existsSync(AGENT)) throw new Error(`find agent binary ${AGENT}: missing (run 'make build' first)`);
  return AGENT;
}
