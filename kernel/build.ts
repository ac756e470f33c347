#!/usr/bin/env bun
// Build the guest kernel from Debian's linux-source-6.1: allnoconfig (the tinyconfig base) plus our
// fragments via the kernel's own merge_config.sh -n, checked line by line, then a monolithic build.
// Cached by a hash of the source version, the fragments and the arch.
//   bun kernel/build.ts --arch x86_64|arm64 [--check-only] [--cache DIR]
import { createHash } from "node:crypto";
import { $, argv, fs, path } from "zx";

const opts = {
  arch: (argv.arch as string) ?? "x86_64",
  checkOnly: Boolean(argv["check-only"]),
  cache: (argv.cache as string) ?? process.env.SOVEREIGN_CACHE ?? "/var/cache/sovereign",
  out: "out",
  tarball: "/usr/src/linux-source-6.1.tar.xz",
};
const ARCHES: Record<string, { karch: string; cross: string; image: string; target: string; tiny: string[] }> = {
  x86_64: { karch: "x86_64", cross: "", image: "arch/x86/boot/bzImage", target: "bzImage", tiny: ["kernel/configs/tiny-base.config", "kernel/configs/tiny.config", "arch/x86/configs/tiny.config"] },
  arm64: { karch: "arm64", cross: "aarch64-linux-gnu-", image: "arch/arm64/boot/Image", target: "Image", tiny: ["kernel/configs/tiny-base.config", "kernel/configs/tiny.config"] },
};
const A = ARCHES[opts.arch];
if (!A) throw new Error(`kernel: unknown arch ${opts.arch} (want x86_64 or arm64)`);
if (!fs.existsSync(opts.tarball)) throw new Error(`kernel: ${opts.tarball} missing (apt-get install linux-source-6.1, or run make deps-kernel)`);

$.verbose = false;
const here = path.dirname(new URL(import.meta.url).pathname);
const fragments = [path.join(here, "guest-common.config"), path.join(here, `guest-${opts.arch}.config`)];
const srcVersion = (await $`dpkg-query -W -f=${"${Version}"} linux-source-6.1`).stdout.trim();
const hash = createHash("sha256").update(srcVersion).update(opts.arch);
for (const f of fragments) hash.update(await fs.readFile(f));
const key = `${opts.arch}-${hash.digest("hex").slice(0, 16)}`;
const src = path.join(opts.cache, `linux-${srcVersion}`);
// --check-only merges in its own dir so it never disturbs a real build of the same key.
const build = path.join(opts.cache, "kbuild", opts.checkOnly ? `${key}-check` : key);
const log = (s: string) => console.log(`kernel[${opts.arch}]: ${s}`);

/** Every fragment line must appear in the final .config (merge_config drops unknown symbols silently). */
async function checkMerged(config: string): Promise<string[]> {
  const have = new Set((await fs.readFile(config, "utf8")).split("\n"));
  const lost: string[] = [];
  for (const f of fragments) {
    for (const line of (await fs.readFile(f, "utf8")).split("\n")) {
      if (/^CONFIG_\w+=/.test(line) || /^# CONFIG_\w+ is not set$/.test(line)) if (!have.has(line)) lost.push(line);
    }
  }
  return lost;
}

const done = path.join(build, "done");
if (!opts.checkOnly && fs.existsSync(done)) {
  log(`cached build ${key}`);
} else {
  if (!fs.existsSync(path.join(src, "Makefile"))) {
    log(`extracting ${opts.tarball} → ${src}`);
    await fs.mkdirp(opts.cache);
    const tmp = `${src}.tmp`;
    await fs.remove(tmp);
    await fs.mkdirp(tmp);
    await $`tar -xJf ${opts.tarball} -C ${tmp} --strip-components=1`;
    await fs.move(tmp, src, { overwrite: true });
  }
  await fs.mkdirp(build);
  const env = { ...process.env, ARCH: A.karch, CROSS_COMPILE: A.cross };
  log(`configuring (allnoconfig + ${fragments.map((f) => path.basename(f)).join(" + ")})`);
  await $({ cwd: src, env })`scripts/kconfig/merge_config.sh -n -O ${build} ${A.tiny} ${fragments}`;
  const lost = await checkMerged(path.join(build, ".config"));
  if (lost.length) throw new Error(`kernel: ${lost.length} fragment option(s) did not survive the merge (unknown symbol or unmet dependency):\n  ${lost.join("\n  ")}`);
  log(`config ok: every fragment option survived`);
  if (opts.checkOnly) process.exit(0);
  const t0 = Date.now();
  log(`building ${A.target} with -j${(await $`nproc`).stdout.trim()} (about 10-13 min on 2 cores)`);
  let objects = 0;
  const proc = $({ cwd: src, env })`nice make O=${build} -j${(await $`nproc`).stdout.trim()} ${A.target}`;
  for await (const line of proc.stdout) {
    if (/^\s+CC\s/.test(line) && ++objects % 100 === 0) log(`${objects} objects compiled (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  await proc;
  await fs.writeFile(done, `${Math.round((Date.now() - t0) / 1000)}\n`);
  log(`built in ${Math.round((Date.now() - t0) / 1000)} s`);
}
const outDir = path.join(opts.out, `kernel-${opts.arch}`);
await fs.mkdirp(outDir);
await fs.copy(path.join(build, A.image), path.join(outDir, path.basename(A.image)));
await fs.copy(path.join(build, ".config"), path.join(outDir, "config"));
const size = (await fs.stat(path.join(outDir, path.basename(A.image)))).size;
log(`${path.join(outDir, path.basename(A.image))} ${(size / 1048576).toFixed(2)} MiB (key ${key}, build took ${(await fs.readFile(done, "utf8")).trim()} s)`);
