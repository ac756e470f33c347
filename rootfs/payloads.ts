// The programs we cannot take from Debian: Tailscale (official release archive) and Forgejo (single
// binary). Each comes from a local path or an https:// URL; a URL must be pinned with its sha256,
// a path may be. Installed files are checked to be executables for the image's architecture, so an
// arm64 tailscaled never lands in an x86-64 image. Without a source the test doubles are installed
// and the caller marks the image as a test image.
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Where a payload comes from: `src` is a path or an https:// URL; `sha256` pins it. */
export interface PayloadSource { src: string; sha256?: string }

/** ELF e_machine values for our two image architectures. */
const ELF_MACHINE: Record<string, number> = { x64: 62, arm64: 183 };

/** The architecture an executable is built for ("x64", "arm64", "other"), "script" for #!, or undefined. */
export function executableArch(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x23 && bytes[1] === 0x21) return "script";
  if (bytes.length < 20 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return undefined;
  const machine = bytes[5] === 2 ? (bytes[18] << 8) | bytes[19] : bytes[18] | (bytes[19] << 8); // EI_DATA: 2 = big endian
  return Object.entries(ELF_MACHINE).find(([, m]) => m === machine)?.[0] ?? "other";
}

/** Throw unless `file` is an executable for `arch` (ELF of that machine, or a script). */
export function checkExecutable(file: string, arch: string, what: string): void {
  const got = executableArch(readFileSync(file).subarray(0, 64));
  if (got === undefined) throw new Error(`install ${what}: ${file} is not an executable (no ELF header or #!)`);
  if (got !== "script" && got !== arch) throw new Error(`install ${what}: ${file} is built for ${got}, but the image is ${arch} (use the ${arch === "arm64" ? "arm64" : "amd64"} release)`);
}

/** Fetch (if a URL) and verify a payload; returns a local file path. */
export async function fetchVerified(p: PayloadSource, workDir: string, what: string): Promise<string> {
  let file = p.src;
  if (/^https?:\/\//.test(p.src)) {
    if (!p.sha256) throw new Error(`fetch ${what}: ${p.src} is a URL but no sha256 pins it (set ${what.toUpperCase()}_SHA256)`);
    file = join(workDir, basename(new URL(p.src).pathname) || "download");
    const res = await fetch(p.src);
    if (!res.ok) throw new Error(`fetch ${what}: ${p.src}: HTTP ${res.status}`);
    writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
  } else if (!existsSync(file)) {
    throw new Error(`install ${what}: ${file} does not exist`);
  }
  if (p.sha256) {
    const got = createHash("sha256").update(readFileSync(file)).digest("hex");
    if (got !== p.sha256.toLowerCase()) throw new Error(`verify ${what}: ${p.src} has sha256 ${got}, expected ${p.sha256}; refusing to install it`);
  }
  return file;
}

/** Install tailscaled and tailscale from an official release archive (tailscale_<ver>_<arch>/…) into `stage`. */
export async function installTailscale(stage: string, p: PayloadSource, arch: string): Promise<string[]> {
  const work = mkdtempSync(join(dirname(stage), ".tailscale-"));
  try {
    const tgz = await fetchVerified(p, work, "tailscale");
    const tar = Bun.spawnSync(["tar", "-xzf", tgz, "-C", work], { stderr: "pipe" });
    if (tar.exitCode !== 0) throw new Error(`unpack tailscale: ${p.src}: ${tar.stderr.toString().trim()}`);
    const dir = readdirSync(work).find((d) => d.startsWith("tailscale_") && !d.endsWith(".tgz"));
    if (!dir) throw new Error(`unpack tailscale: ${p.src} has no tailscale_<version>_<arch>/ directory (is it the official .tgz?)`);
    const files = [["tailscaled", "usr/sbin/tailscaled"], ["tailscale", "usr/bin/tailscale"]];
    for (const [name] of files) { // check both before placing either: no half-installed image
      const src = join(work, dir, name);
      if (!existsSync(src)) throw new Error(`unpack tailscale: ${p.src} has no ${dir}/${name}`);
      checkExecutable(src, arch, "tailscale");
    }
    for (const [name, dest] of files) placeInto(stage, join(work, dir, name), dest);
    return files.map(([, dest]) => `/${dest}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Install the forgejo binary into `stage` at /usr/local/bin/forgejo. */
export async function installForgejo(stage: string, p: PayloadSource, arch: string): Promise<string[]> {
  const work = mkdtempSync(join(dirname(stage), ".forgejo-"));
  try {
    const bin = await fetchVerified(p, work, "forgejo");
    checkExecutable(bin, arch, "forgejo");
    placeInto(stage, bin, "usr/local/bin/forgejo");
    return ["/usr/local/bin/forgejo"];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function placeInto(stage: string, src: string, dest: string): void {
  const to = join(stage, dest);
  mkdirSync(dirname(to), { recursive: true });
  rmSync(to, { force: true });
  copyFileSync(src, to);
  chmodSync(to, 0o755);
}
