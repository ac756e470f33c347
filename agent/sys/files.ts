// Durable file writes. A guest can lose power at any moment (hard VM kill): a config file must be
// either the old or the new version, never a truncated or NUL-padded mix (seen for real: an appended
// line in postgresql.conf became NUL bytes after a hard kill, and PostgreSQL refused to start).
import { chownSync, closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Write `text` to `path` atomically: temp file, fsync, rename, fsync the directory. */
export function writeFileDurable(path: string, text: string, opts: { mode?: number; uid?: number; gid?: number } = {}): void {
  const tmp = `${path}.sovereign-tmp`;
  const fd = openSync(tmp, "w", opts.mode ?? 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (opts.uid !== undefined) chownSync(tmp, opts.uid, opts.gid ?? opts.uid);
  renameSync(tmp, path);
  const dfd = openSync(dirname(path), "r");
  try { fsyncSync(dfd); } finally { closeSync(dfd); }
}
