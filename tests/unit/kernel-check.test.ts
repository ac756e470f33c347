// kernel-check against Debian's real config and against mutated copies of our fragment.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkKConfig, parseKConfig, renderKernelCheck } from "../../agent/kernel/check.ts";
import { REQUIREMENTS } from "../../kernel/requirements.ts";
import { ROOT } from "../helpers/env.ts";

const DEBIAN_CLOUD = "/usr/src/linux-config-6.1/config.amd64_none_cloud-amd64.xz";
const fragmentConfig = (arch: "x86_64" | "arm64") => [
  `# Linux/${arch === "arm64" ? "arm64" : "x86"} 6.1.192 Kernel Configuration`,
  ...readFileSync(join(ROOT, "kernel/guest-common.config"), "utf8").split("\n"),
  ...readFileSync(join(ROOT, `kernel/guest-${arch}.config`), "utf8").split("\n"),
].join("\n");
const statusOf = (lines: ReturnType<typeof checkKConfig>, opt: string) => lines.find((l) => l.option === opt)!.status;

describe("kernel-check", () => {
  test.skipIf(!existsSync(DEBIAN_CLOUD))(`Debian's cloud-amd64 config: virtio, TUN and nf_tables are modules ${existsSync(DEBIAN_CLOUD) ? "" : "SKIPPED: linux-config-6.1 not installed (make deps)"}`, () => {
    const text = new TextDecoder().decode(Bun.spawnSync(["xz", "-dc", DEBIAN_CLOUD]).stdout);
    const k = parseKConfig(text);
    expect(k.version).toBe("6.1.192");
    expect(k.arch).toBe("x86_64");
    const lines = checkKConfig(k);
    for (const o of ["VIRTIO_PCI", "VIRTIO_NET", "VIRTIO_BLK", "VIRTIO_CONSOLE", "TUN", "NF_TABLES", "NFT_CT", "NFT_NAT", "NFT_MASQ"]) expect(statusOf(lines, o)).toBe("module");
    for (const o of ["IP_ADVANCED_ROUTER", "IP_MULTIPLE_TABLES", "FIB_RULES", "EXT4_FS", "DEVTMPFS"]) expect(statusOf(lines, o)).toBe("ok");
    expect(statusOf(lines, "DEVTMPFS_MOUNT")).toBe("missing");
    for (const o of ["NFT_CHAIN_NAT", "NFT_CHAIN_ROUTE_IPV4", "IP_ROUTE_FWMARK"]) expect(statusOf(lines, o)).toBe("n/a");
    const r = renderKernelCheck("cloud", k, lines);
    expect(r.code).toBe(1);
    expect(r.text).toContain("MODULE   CONFIG_TUN");
    expect(r.text).toContain("tailscaled exits: /dev/net/tun does not exist");
  });

  for (const arch of ["x86_64", "arm64"] as const) {
    test(`our ${arch} fragment satisfies every requirement`, () => {
      const k = parseKConfig(fragmentConfig(arch));
      const r = renderKernelCheck(arch, k, checkKConfig(k));
      expect(r.text).not.toContain("MISSING");
      expect(r.code).toBe(0);
    });
  }

  test("each required option removed, or made a module, in turn is reported with its consequence", () => {
    const base = fragmentConfig("x86_64");
    const applicable = REQUIREMENTS.filter((r) => !r.until && r.arch !== "arm64");
    expect(applicable.length).toBeGreaterThan(30);
    for (const req of applicable) {
      const removed = parseKConfig(base.replace(new RegExp(`^CONFIG_${req.option}=y$`, "m"), `# CONFIG_${req.option} is not set`));
      const l1 = checkKConfig(removed).find((l) => l.option === req.option)!;
      expect(l1).toEqual({ option: req.option, status: "missing", value: "n", note: req.consequence });
      expect(renderKernelCheck("x", removed, checkKConfig(removed)).code).toBe(1);
      const module = parseKConfig(base.replace(new RegExp(`^CONFIG_${req.option}=y$`, "m"), `CONFIG_${req.option}=m`));
      expect(checkKConfig(module).find((l) => l.option === req.option)!.status).toBe("module");
    }
  });

  test("version-dependent options: demanded where they exist, explained where they do not", () => {
    const old = parseKConfig("# Linux/x86 4.19.0 Kernel Configuration\nCONFIG_NFT_NAT=y\n");
    expect(statusOf(checkKConfig(old), "NFT_CHAIN_NAT")).toBe("missing");
    const now = parseKConfig("# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_NFT_NAT=y\n");
    const line = checkKConfig(now).find((l) => l.option === "NFT_CHAIN_NAT")!;
    expect(line).toMatchObject({ status: "n/a", note: "not in 6.1.0: folded into NFT_NAT and the nf_tables core in 5.1; nothing to enable" });
  });

  test("the CLI reads gzip (/proc/config.gz) and exits 1 when something is missing", async () => {
    const gz = Bun.gzipSync(Buffer.from("# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_TUN=m\n"));
    const p = Bun.spawn([join(ROOT, "node_modules/.bin/bun"), join(ROOT, "agent/main.ts"), "kernel-check", "-"], { stdin: gz, stdout: "pipe" });
    const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
    expect(code).toBe(1);
    expect(out).toContain("MODULE   CONFIG_TUN");
  });
});
