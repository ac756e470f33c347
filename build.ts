#!/usr/bin/env bun
// Compile the agent into one self-contained binary per target. Never run a symbol stripper on it: stripping removes the
// embedded code and leaves a plain `bun` CLI (reference/bun.md §6).
//   bun build.ts [--target x64|arm64|all] [--out out]
import { $, argv, fs, path } from "zx";

const opts = {
  target: (argv.target as string) ?? "all",
  out: (argv.out as string) ?? "out",
  entry: "agent/main.ts",
};
const TARGETS: Record<string, string> = { x64: "bun-linux-x64", arm64: "bun-linux-arm64" };
const wanted = opts.target === "all" ? Object.keys(TARGETS) : [opts.target];
for (const t of wanted) if (!TARGETS[t]) throw new Error(`build: unknown target ${t} (want x64, arm64 or all)`);

$.verbose = false;
const version = (await $`git describe --always --dirty --tags 2>/dev/null`.nothrow()).stdout.trim() || "0.1.0-dev";
const bun = path.resolve("node_modules/.bin/bun");
await fs.mkdirp(opts.out);
for (const t of wanted) {
  // The init stub (also the spawn helper: `sovereign-init exec CMD`), static.
  const cc = t === "arm64" ? "aarch64-linux-gnu-gcc" : "gcc";
  await $`${cc} -static -Os -o ${path.join(opts.out, `sovereign-init-${t}`)} rootfs/init-stub.c`.nothrow().then((r) => { if (r.exitCode) console.log(`build: ${cc} not available; skipping sovereign-init-${t} (make deps-vm installs it)`); });
  // The test doubles (tailscaled, tailscale, control, forgejo) as one multi-call binary: tests and
  // images without real Tailscale/Forgejo binaries use it.
  const fakes = path.join(opts.out, "fakes", `sovereign-fakes-${t}`);
  await fs.mkdirp(path.dirname(fakes));
  await $`${bun} build --compile --no-compile-autoload-dotenv --no-compile-autoload-bunfig --target=${TARGETS[t]} tests/fakes/main.ts --outfile ${fakes}`;
  const outfile = path.join(opts.out, `sovereign-agent-${t}`);
  const t0 = Date.now();
  process.stdout.write(`build: compiling ${opts.entry} for ${TARGETS[t]} ... `);
  await $`${bun} build --compile --minify --bytecode --no-compile-autoload-dotenv --no-compile-autoload-bunfig --target=${TARGETS[t]} --define ${`SOVEREIGN_VERSION=${JSON.stringify(version)}`} ${opts.entry} --outfile ${outfile}`;
  const size = (await fs.stat(outfile)).size;
  console.log(`${outfile} ${(size / 1048576).toFixed(1)} MiB in ${((Date.now() - t0) / 1000).toFixed(1)} s (${version})`);
}
