#!/usr/bin/env bun
// Role images: Debian bookworm minbase (mmdebstrap) plus only what the role needs, the agent, the
// init stub at /sbin/sovereign-init, /etc/sovereign/agent.toml, and Tailscale/Forgejo binaries from
// TAILSCALE_TGZ / FORGEJO_BIN when given (a path, or an https:// URL pinned by TAILSCALE_SHA256 /
// FORGEJO_SHA256; see payloads.ts), else the test doubles (and the image says so at boot).
// The Debian tree is cached by a hash of its package list; the ext4 image is rebuilt each time (~5 s).
//   bun rootfs/build.ts --role sql|forgejo [--arch x64] [--out out/images]
import { createHash } from "node:crypto";
import { $, argv, fs, path } from "zx";
import { installForgejo, installTailscale } from "./payloads.ts";

const opts = {
  role: (argv.role as string) ?? "sql",
  arch: (argv.arch as string) ?? "x64",
  out: (argv.out as string) ?? "out/images",
  cache: process.env.SOVEREIGN_CACHE ?? "/var/cache/sovereign",
  size: (argv.size as string) ?? "2G",
};
const ROLE_PKGS: Record<string, string[]> = {
  // No iptables: tailscaled runs in nftables mode (TS_DEBUG_FIREWALL_MODE=nftables). nftables: the
  // agent loads its table with `nft`. ca-certificates: TLS to the Tailscale control plane (sql) and
  // git remotes (forgejo). iproute2: `ip` for the operator's debug shell (the agent uses rtnetlink).
  sql: ["postgresql-15", "nftables", "ca-certificates", "iproute2"],
  forgejo: ["git", "ca-certificates", "nftables", "iproute2"],
};
const debArch = opts.arch === "arm64" ? "arm64" : "amd64";
if (!ROLE_PKGS[opts.role]) throw new Error(`rootfs: unknown role ${opts.role} (want sql or forgejo)`);
$.verbose = false;
const log = (s: string) => console.log(`rootfs[${opts.role}/${opts.arch}]: ${s}`);

// An arm64 tree on another architecture needs arm64 programs to run (maintainer scripts).
const binfmtOn = () => { try { return /^enabled/m.test(fs.readFileSync("/proc/sys/fs/binfmt_misc/qemu-aarch64", "utf8")); } catch { return false; } };
if (debArch === "arm64" && process.arch !== "arm64" && !binfmtOn()) {
  console.error("rootfs: build arm64 image: this host cannot run arm64 programs (binfmt qemu-aarch64 is not enabled); run `make binfmt-arm64` as root, or build on an arm64 host");
  process.exit(1);
}

// 1. The Debian tree, cached.
const pkgs = ROLE_PKGS[opts.role];
const key = createHash("sha256").update(JSON.stringify({ pkgs, debArch, suite: "bookworm", v: 1 })).digest("hex").slice(0, 16);
const tree = path.join(opts.cache, "rootfs", `${opts.role}-${debArch}-${key}`);
if (!fs.existsSync(path.join(tree, ".done"))) {
  log(`mmdebstrap bookworm minbase + ${pkgs.join(" ")} (${debArch === "arm64" && process.arch !== "arm64" ? "about 5 min under qemu-user" : "about 1 min"}; cached afterwards as ${path.basename(tree)})`);
  await fs.remove(tree);
  await fs.mkdirp(path.dirname(tree));
  const t0 = Date.now();
  const ticker = setInterval(() => log(`still building the Debian tree (${Math.round((Date.now() - t0) / 1000)} s)`), 30_000);
  await $`mmdebstrap --quiet --variant=minbase --architectures=${debArch} --include=${pkgs.join(",")} --dpkgopt=path-exclude=/usr/share/doc/* --dpkgopt=path-exclude=/usr/share/man/* --dpkgopt=path-exclude=/usr/share/locale/* --customize-hook=${'chroot "$1" sh -c "getent passwd git >/dev/null || useradd --system --create-home --home-dir /home/git --shell /bin/sh git"'} bookworm ${tree}`.finally(() => clearInterval(ticker));
  await fs.writeFile(path.join(tree, ".done"), `${Math.round((Date.now() - t0) / 1000)}\n`);
  log(`Debian tree ready in ${Math.round((Date.now() - t0) / 1000)} s`);
} else {
  log(`cached Debian tree ${path.basename(tree)}`);
}

// 2. Stage: copy the tree, add our files.
const stage = path.join(opts.out, `${opts.role}-${opts.arch}.d`);
try {
  await fs.remove(stage);
  await fs.mkdirp(opts.out);
  await $`cp -a ${tree} ${stage}`;
  await fs.remove(path.join(stage, ".done"));
  await fs.remove(path.join(stage, "var/lib/postgresql/15/main")); // the package's own cluster; ours lives on the data disk
  const cc = opts.arch === "arm64" ? "aarch64-linux-gnu-gcc" : "gcc";
  await $`${cc} -static -Os -o ${path.join(stage, "sbin/sovereign-init")} rootfs/init-stub.c`;
  await fs.copy(`out/sovereign-agent-${opts.arch}`, path.join(stage, "usr/local/bin/sovereign-agent"));
  await fs.mkdirp(path.join(stage, "etc/sovereign"));
  await fs.copy(`rootfs/${opts.role}.toml`, path.join(stage, "etc/sovereign/agent.toml"));
  const doubles: string[] = [];
  const fakes = `out/fakes/sovereign-fakes-${opts.arch}`;
  const wrapper = (name: string, dest: string) => fs.outputFile(path.join(stage, dest), `#!/bin/sh\n# TEST DOUBLE, not the real ${name}\nexec /usr/local/lib/sovereign/sovereign-fakes ${name} "$@"\n`, { mode: 0o755 });
  const needFakes = () => fs.copy(fakes, path.join(stage, "usr/local/lib/sovereign/sovereign-fakes"));
  const source = (name: string, sha: string) => process.env[name] ? { src: process.env[name]!, sha256: process.env[sha] } : undefined;
  if (opts.role === "sql") {
    const ts = source("TAILSCALE_TGZ", "TAILSCALE_SHA256");
    if (ts) log(`tailscale from ${ts.src}: ${(await installTailscale(stage, ts, opts.arch)).join(", ")}${ts.sha256 ? " (sha256 verified)" : ""}`);
    else {
      await needFakes();
      await wrapper("tailscaled", "usr/sbin/tailscaled");
      await wrapper("tailscale", "usr/bin/tailscale");
      doubles.push("tailscaled", "tailscale");
    }
  }
  if (opts.role === "forgejo") {
    const fj = source("FORGEJO_BIN", "FORGEJO_SHA256");
    if (fj) log(`forgejo from ${fj.src}: ${(await installForgejo(stage, fj, opts.arch)).join(", ")}${fj.sha256 ? " (sha256 verified)" : ""}`);
    else { await needFakes(); await wrapper("forgejo", "usr/local/bin/forgejo"); doubles.push("forgejo"); }
  }
  if (doubles.length) {
    await fs.writeFile(path.join(stage, "etc/sovereign/banner"), `*** TEST IMAGE: ${doubles.join(", ")} are TEST DOUBLES, not the real programs. ***\n*** Rebuild with TAILSCALE_TGZ=... / FORGEJO_BIN=... (see README) for real use. ***\n`);
  }
  // 3. The ext4 image (uid/gid preserved: we run as root).
  const img = path.join(opts.out, `${opts.role}-${opts.arch}.img`);
  await fs.remove(img);
  await $`mke2fs -q -t ext4 -L sovereign-root -d ${stage} ${img} ${opts.size}`;
  await fs.remove(stage);
  log(`${img} (${opts.size} sparse)${doubles.length ? `; test doubles: ${doubles.join(", ")}` : ""}`);
} catch (e) {
  // one clear line, not a stack; no half-made stage or image is left behind
  await fs.remove(stage);
  console.error(`rootfs[${opts.role}/${opts.arch}]: FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
