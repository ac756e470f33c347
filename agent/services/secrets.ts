// Generated secrets: crypto-random, written once with mode 0600, never printed.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { writeFileDurable } from "../sys/files.ts";
import { dirname } from "node:path";

/** A URL-safe random secret of `bytes` bytes of entropy. */
export function randomSecret(bytes = 24): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

/** Read the secret at `path`, creating it (0600, owned by uid/gid) on first use. */
export function ensureSecret(path: string, uid = 0, gid = 0): string {
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const s = randomSecret();
  writeFileDurable(path, s + "\n", { mode: 0o600, uid, gid });
  return s;
}

/** Read a secret file that must exist (e.g. delivered on the config disk). */
export function readSecret(path: string, what: string): string {
  try {
    const s = readFileSync(path, "utf8").trim();
    if (!s) throw new Error("file is empty");
    return s;
  } catch (e) {
    throw new Error(`read ${what} from ${path}: ${(e as Error).message} (it comes from the config disk made by 'make run'; see README)`);
  }
}
