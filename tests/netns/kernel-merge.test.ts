// The fragment merge on the real linux-source-6.1 (no build): every option must survive.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/env.ts";

const SRC = "/usr/src/linux-source-6.1.tar.xz";
describe.skipIf(!existsSync(SRC))(`kernel fragment merge ${existsSync(SRC) ? "" : "SKIPPED: linux-source-6.1 missing (make deps-kernel)"}`, () => {
  for (const arch of ["x86_64", "arm64"]) {
    test(`${arch}: allnoconfig + fragments keeps every option`, async () => {
      const p = Bun.spawn([join(ROOT, "node_modules/.bin/bun"), join(ROOT, "kernel/build.ts"), "--arch", arch, "--check-only"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      expect(err + out).toContain("config ok: every fragment option survived");
      expect(code).toBe(0);
    }, 180_000);
  }
});
