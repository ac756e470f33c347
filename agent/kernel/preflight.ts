// Runtime preflight: probe each kernel prerequisite by doing it, and map failures to CONFIG_ options
// and their consequences. Never throws: a failed probe degrades what depends on it and says so.
import { errMsg } from "../errors.ts";
import { REQUIREMENTS } from "../../kernel/requirements.ts";

/** The operations the probes perform; the real one is ffi/netlink/nft, tests inject failures. */
export interface PreflightPort {
  /** Create a TUN device and delete it again. */
  tun(): void;
  /** Add and delete an fwmark rule pointing at a scratch table. */
  fwmarkRule(): void;
  /** Create and delete an nftables table with a nat postrouting chain, a masquerade rule and ct state. */
  nftNat(): Promise<void>;
  /** Read a sysctl (undefined when absent). */
  sysctl(key: string): string | undefined;
}

/** One probe's outcome. */
export interface ProbeResult { name: string; ok: boolean; detail: string; configs: string[]; consequence: string; hint: string }

const consequence = (opt: string) => REQUIREMENTS.find((r) => r.option === opt)?.consequence ?? "";

interface Probe { name: string; configs: string[]; affects: string; run: (p: PreflightPort) => Promise<string> | string }

const PROBES: Probe[] = [
  { name: "tun", configs: ["TUN"], affects: consequence("TUN"), run: (p) => { p.tun(); return "created and deleted a TUN device"; } },
  { name: "fwmark-rule", configs: ["IP_ADVANCED_ROUTER", "IP_MULTIPLE_TABLES", "FIB_RULES"], affects: consequence("IP_MULTIPLE_TABLES"), run: (p) => { p.fwmarkRule(); return "added and deleted `fwmark 0x10000/0xff0000 lookup 10052 pref 32000`"; } },
  { name: "nft-nat", configs: ["NF_TABLES", "NF_TABLES_INET", "NF_TABLES_IPV4", "NFT_NAT", "NFT_MASQ", "NF_NAT", "NF_CONNTRACK", "NFT_CT"], affects: consequence("NFT_MASQ"), run: async (p) => { await p.nftNat(); return "created and deleted a nat postrouting chain with masquerade and ct state"; } },
  {
    name: "forwarding-sysctls", configs: ["PROC_SYSCTL", "IPV6"], affects: "forwarding cannot be enabled or checked: the subnet router cannot forward",
    run: (p) => {
      const v4 = p.sysctl("net.ipv4.ip_forward"), v6 = p.sysctl("net.ipv6.conf.all.forwarding");
      if (v4 === undefined) throw new Error("read net.ipv4.ip_forward: absent");
      if (v6 === undefined) throw new Error("read net.ipv6.conf.all.forwarding: absent (no IPv6)");
      return `ip_forward=${v4} ipv6 forwarding=${v6}`;
    },
  },
];

/** Run every probe; results in table order. */
export async function runPreflight(port: PreflightPort): Promise<ProbeResult[]> {
  const out: ProbeResult[] = [];
  for (const pr of PROBES) {
    try {
      out.push({ name: pr.name, ok: true, detail: await pr.run(port), configs: pr.configs, consequence: "", hint: "" });
    } catch (e) {
      out.push({
        name: pr.name, ok: false, detail: errMsg(e), configs: pr.configs, consequence: pr.affects,
        hint: `enable ${pr.configs.map((c) => `CONFIG_${c}=y`).join(", ")} in kernel/guest-*.config, rebuild (make kernel), and run kernel-check /proc/config.gz`,
      });
    }
  }
  return out;
}

/** PASS/FAIL table lines for diag and the boot log. */
export function renderProbes(rs: ProbeResult[]): string[] {
  return rs.flatMap((r) => r.ok
    ? [`PASS  ${r.name.padEnd(20)} ${r.detail}`]
    : [`FAIL  ${r.name.padEnd(20)} ${r.detail}`, `      consequence: ${r.consequence}`, `      hint: ${r.hint}`]);
}
