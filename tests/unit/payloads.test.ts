// Image payloads (rootfs/payloads.ts): Tailscale's release archive and the Forgejo binary from a
// path or a sha256-pinned URL, checked for the image's architecture. Synthetic archives stand in for
// the real releases (they cannot be fetched here); the URL case is served on loopback.
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { executableArch, installForgejo, installTailscale } from "../../rootfs/payloads.ts";
import { scratch } from "../helpers/env.ts";

/** A minimal little-endian ELF64 header for e_machine `machine` (62 x86-64, 183 aarch64). */
function elf(machine: number): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  b[16] = 2; // ET_EXEC
  b[18] = machine & 0xff;
  b[19] = machine >> 8;
  return b;
}

const dir = scratch("payloads");
const sha = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");

/** tailscale_<ver>_<arch>.tgz laid out like the official archive, with the given binaries. */
function tgz(name: string, machine: number, files = ["tailscale", "tailscaled"]): string {
  const src = join(dir, `src-${name}`), top = join(src, name);
  mkdirSync(top, { recursive: true });
  for (const f of files) writeFileSync(join(top, f), elf(machine));
  writeFileSync(join(top, "README"), "not a binary");
  const out = join(dir, `${name}.tgz`);
  expect(Bun.spawnSync(["tar", "-czf", out, "-C", src, name]).exitCode).toBe(0);
  return out;
}

function stage(name: string): string {
  const s = join(dir, `stage-${name}`);
  mkdirSync(join(s, "usr/sbin"), { recursive: true });
  return s;
}

afterAll(() => Bun.spawnSync(["rm", "-rf", dir]));

describe("executableArch", () => {
  test("reads the ELF machine, recognises scripts, rejects other data", () => {
    expect(executableArch(elf(62))).toBe("x64");
    expect(executableArch(elf(183))).toBe("arm64");
    expect(executableArch(elf(40))).toBe("other"); // 32-bit ARM
    expect(executableArch(new TextEncoder().encode("#!/bin/sh\n"))).toBe("script");
    expect(executableArch(new TextEncoder().encode("<html>404</html>"))).toBeUndefined();
  });
});

describe("installTailscale", () => {
  test("the official layout from a path, sha256 verified: both programs in place, executable", async () => {
    const a = tgz("tailscale_1.80.3_amd64", 62), s = stage("ok");
    expect(await installTailscale(s, { src: a, sha256: sha(a) }, "x64")).toEqual(["/usr/sbin/tailscaled", "/usr/bin/tailscale"]);
    for (const f of ["usr/sbin/tailscaled", "usr/bin/tailscale"]) {
      expect(readFileSync(join(s, f))).toEqual(Buffer.from(elf(62)));
      expect(statSync(join(s, f)).mode & 0o777).toBe(0o755);
    }
    expect(readdirSync(dir).filter((d) => d.startsWith(".tailscale-"))).toEqual([]); // work dir cleaned up
  });

  test("a wrong sha256 is refused and nothing is installed", async () => {
    const a = tgz("tailscale_1.80.3_amd64", 62), s = stage("badsha");
    await expect(installTailscale(s, { src: a, sha256: "0".repeat(64) }, "x64")).rejects.toThrow(/^verify tailscale: .* has sha256 [0-9a-f]{64}, expected 0{64}; refusing to install it$/);
    expect(existsSync(join(s, "usr/sbin/tailscaled"))).toBe(false);
  });

  test("an arm64 archive for an x86-64 image is refused, naming both architectures", async () => {
    const a = tgz("tailscale_1.80.3_arm64", 183), s = stage("arch");
    await expect(installTailscale(s, { src: a }, "x64")).rejects.toThrow(/built for arm64, but the image is x64/);
    expect(existsSync(join(s, "usr/sbin/tailscaled"))).toBe(false);
  });

  test("an archive without the tailscale_* directory or without tailscaled is refused", async () => {
    const plain = join(dir, "plain.tgz");
    mkdirSync(join(dir, "plain/bin"), { recursive: true });
    writeFileSync(join(dir, "plain/bin/x"), "x");
    Bun.spawnSync(["tar", "-czf", plain, "-C", join(dir, "plain"), "bin"]);
    await expect(installTailscale(stage("plain"), { src: plain }, "x64")).rejects.toThrow(/has no tailscale_<version>_<arch>\/ directory/);
    const half = tgz("tailscale_1.80.3_amd64_half", 62, ["tailscale"]);
    await expect(installTailscale(stage("half"), { src: half }, "x64")).rejects.toThrow(/has no tailscale_1\.80\.3_amd64_half\/tailscaled/);
  });

  test("a URL needs a sha256; with one it is fetched (loopback) and verified", async () => {
    const a = tgz("tailscale_1.80.3_arm64", 183);
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(Bun.file(a)) });
    try {
      const url = `http://127.0.0.1:${server.port}/stable/tailscale_1.80.3_arm64.tgz`;
      await expect(installTailscale(stage("url-nosha"), { src: url }, "arm64")).rejects.toThrow(/is a URL but no sha256 pins it \(set TAILSCALE_SHA256\)/);
      const s = stage("url");
      await installTailscale(s, { src: url, sha256: sha(a).toUpperCase() }, "arm64");
      expect(executableArch(readFileSync(join(s, "usr/sbin/tailscaled")))).toBe("arm64");
    } finally {
      server.stop(true);
    }
  });
});

describe("installForgejo", () => {
  test("a binary for the image's architecture is installed; a missing file or an HTML error page is refused", async () => {
    const bin = join(dir, "forgejo-9.0.3-linux-amd64");
    writeFileSync(bin, elf(62));
    const s = stage("fj");
    expect(await installForgejo(s, { src: bin, sha256: sha(bin) }, "x64")).toEqual(["/usr/local/bin/forgejo"]);
    expect(statSync(join(s, "usr/local/bin/forgejo")).mode & 0o777).toBe(0o755);
    await expect(installForgejo(stage("fj2"), { src: join(dir, "nope") }, "x64")).rejects.toThrow(/^install forgejo: .*nope does not exist$/);
    const html = join(dir, "forgejo.html");
    writeFileSync(html, "<html>Not Found</html>");
    await expect(installForgejo(stage("fj3"), { src: html }, "x64")).rejects.toThrow(/is not an executable/);
  });
});
