// resolv.conf, written atomically (temp file + rename) and only when it changes.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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
  const tmp = `${path}.sovereign-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
  return true;
}
