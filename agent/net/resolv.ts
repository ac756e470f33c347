// resolv.conf, written atomically (temp file + rename) and only when it changes.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { writeFileDurable } from "../sys/files.ts";
import { dirname, join } from "node:path";

/** Render resolv.conf for these servers. */
export function renderResolv(servers: string[]): string {
  return `# written by sovereign-agent (net.dns)\n${servers.map((s) => `nameserver ${s}`).join("\n")}\n`;
}

/** Write root/etc/resolv.conf when servers are configured; returns true when the file changed. */
export function writeResolv(servers: string[], root = "/"): boolean {
  if (!servers.length) return false;
  const path = join(root, "etc/resolv.conf");
  const text = renderResolv(servers);
  if (existsSync(path) && readFileSync(path, "utf8") === text) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileDurable(path, text, { mode: 0o644 });
  return true;
}
