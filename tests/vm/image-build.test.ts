// The image recipe with real-program sources (TAILSCALE_TGZ / FORGEJO_BIN): what lands in the image,
// and that a bad source fails the build with a clear line. Real releases cannot be fetched here, so
// synthetic ones stand in (scripts pass the architecture check). Uses the cached Debian trees that
// `make vm-artifacts` built; the image goes to a scratch dir, never over out/images.
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IS_ROOT, NEED_ROOT, ROOT, scratch } from "../helpers/env.ts";
import { BUN } from "../helpers/tailnet.ts";

const CACHE = process.env.SOVEREIGN_CACHE ?? "/var/cache/sovereign";
const treeCached = (role: string) => existsSync(join(CACHE, "rootfs")) && readdirSync(join(CACHE, "rootfs")).some((d) => d.startsWith(`${role}-amd64-`));
const READY = IS_ROOT && treeCached("sql") && treeCached("forgejo") && existsSync(join(ROOT, "out/sovereign-agent-x64"));

/** Run the recipe; returns exit code and all output. */
async function build(role: string, out: string, env: Record<string, string>): Promise<{ code: number; text: string }> {
  const p = Bun.spawn([BUN, "rootfs/build.ts", "--role", role, "--out", out], { cwd: ROOT, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const [o, e, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, text: o + e };
}

/** A file's contents inside an ext4 image (debugfs cat), or undefined when absent. */
function catImage(img: string, file: string): string | undefined {
  const p = Bun.spawnSync(["debugfs", "-R", `cat ${file}`, img], { stdout: "pipe", stderr: "pipe" });
  return p.stderr.toString().includes("File not found") ? undefined : p.stdout.toString();
}

describe.skipIf(!READY)(`image recipe with real-program sources ${IS_ROOT ? (READY ? "" : "SKIPPED: Debian trees not cached (make vm-artifacts; make test does it)") : NEED_ROOT}`, () => {
  const dir = scratch("imgbuild");
  afterAll(() => Bun.spawnSync(["rm", "-rf", dir]));

  test("TAILSCALE_TGZ with its sha256: the archive's programs are installed and the image carries no test-double banner", async () => {
    const top = join(dir, "src/tailscale_1.80.3_amd64");
    mkdirSync(top, { recursive: true });
    writeFileSync(join(top, "tailscaled"), "#!/bin/sh\n# marker: release tailscaled\n");
    writeFileSync(join(top, "tailscale"), "#!/bin/sh\n# marker: release tailscale\n");
    const tgz = join(dir, "tailscale_1.80.3_amd64.tgz");
    expect(Bun.spawnSync(["tar", "-czf", tgz, "-C", join(dir, "src"), "tailscale_1.80.3_amd64"]).exitCode).toBe(0);
    const sha = createHash("sha256").update(readFileSync(tgz)).digest("hex");
    const r = await build("sql", join(dir, "ok"), { TAILSCALE_TGZ: tgz, TAILSCALE_SHA256: sha });
    expect(r.code).toBe(0);
    expect(r.text).toContain(`tailscale from ${tgz}: /usr/sbin/tailscaled, /usr/bin/tailscale (sha256 verified)`);
    const img = join(dir, "ok/sql-x64.img");
    expect(catImage(img, "/usr/sbin/tailscaled")).toContain("marker: release tailscaled");
    expect(catImage(img, "/usr/bin/tailscale")).toContain("marker: release tailscale");
    expect(catImage(img, "/etc/sovereign/banner")).toBeUndefined();
  }, 180_000);

  test("FORGEJO_BIN with a wrong sha256 fails the build with one clear line and leaves no image", async () => {
    const bin = join(dir, "forgejo");
    writeFileSync(bin, "#!/bin/sh\n");
    const r = await build("forgejo", join(dir, "bad"), { FORGEJO_BIN: bin, FORGEJO_SHA256: "0".repeat(64) });
    expect(r.code).not.toBe(0);
    expect(r.text).toContain(`rootfs[forgejo/x64]: FAILED: verify forgejo: ${bin} has sha256 `);
    expect(r.text).not.toContain("    at "); // a message, not a stack trace
    expect(r.text).toContain("refusing to install it");
    expect(readdirSync(join(dir, "bad"))).toEqual([]); // no image, no half-made stage
  }, 180_000);
});
