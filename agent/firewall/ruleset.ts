// The agent's own nftables table, `inet sovereign`, rendered by a pure function. It never touches
// tailscaled's `ip filter` / `ip nat` tables or its ts-* chains.
//
// Input policy (documented in the README): drop, except
//   - established/related traffic, loopback, ICMP and ICMPv6 (ping, PMTU, neighbour discovery),
//     by number (1, 58): minbase images have no /etc/protocols for nft to resolve names;
//   - the role's service ports (sql: 5432, forgejo: 3000) from the LAN prefix on the NIC and from
//     tailscale0 (tailnet clients arrive there with 100.x / fd7a: sources);
//   - tailscaled's WireGuard UDP port on the NIC (direct connections between nodes).
// Forwarding stays with tailscaled (ts-forward); our forward chain only accepts tailscale0 → LAN so a
// drop policy elsewhere cannot break the subnet route.
// Fallback masquerade: forwarded tailnet → LAN traffic leaving the NIC is masqueraded, so Forgejo's
// replies come back even when tailscaled's netfilter mode is off (its mark-0x40000 rule is absent).
import { createHash } from "node:crypto";

/** Inputs to the ruleset. */
export interface FirewallSpec {
  iface: string;
  lan: string;              // CIDR
  servicePorts: number[];   // TCP
  wgPort: number;           // tailscaled UDP port (0 = none)
  tailscale: boolean;       // subnet router: tailscale0 rules and fallback masquerade
  inputPolicy: "drop" | "accept";
}

/** The table name; `fw` shows it and apply replaces only it. */
export const TABLE = "inet sovereign";

/** Render the table body. Pure; golden-tested. */
export function renderRuleset(s: FirewallSpec): string {
  const ports = s.servicePorts.length ? `{ ${[...s.servicePorts].sort((a, b) => a - b).join(", ")} }` : "";
  const lines = [
    `table ${TABLE} {`,
    `  chain input {`,
    `    type filter hook input priority filter + 10; policy ${s.inputPolicy};`,
    `    ct state established,related accept`,
    `    ct state invalid drop`,
    `    iifname "lo" accept`,
    `    meta l4proto { 1, 58 } accept`,
  ];
  if (ports) lines.push(`    iifname "${s.iface}" ip saddr ${s.lan} tcp dport ${ports} accept`);
  if (s.tailscale) {
    if (ports) lines.push(`    iifname "tailscale0" tcp dport ${ports} accept`);
    if (s.wgPort) lines.push(`    iifname "${s.iface}" udp dport ${s.wgPort} accept`);
  }
  lines.push(`    counter`, `  }`);
  if (s.tailscale) {
    lines.push(
      `  chain forward {`,
      `    type filter hook forward priority filter + 10; policy accept;`,
      `    iifname "tailscale0" oifname "${s.iface}" ip daddr ${s.lan} accept`,
      `    iifname "${s.iface}" oifname "tailscale0" ct state established,related accept`,
      `  }`,
      `  chain postrouting {`,
      `    type nat hook postrouting priority srcnat + 10; policy accept;`,
      `    iifname "tailscale0" oifname "${s.iface}" ip daddr ${s.lan} masquerade`,
      `  }`,
    );
  }
  lines.push(`}`);
  return lines.join("\n") + "\n";
}

/** Short content hash, stored as the table's comment so a re-apply of the same ruleset is a no-op. */
export function rulesetHash(body: string): string {
  return createHash("sha256").update(body).digest("hex").slice(0, 16);
}

/** The atomic transaction: create-if-missing, delete, recreate with the hash comment. */
export function renderTransaction(s: FirewallSpec): string {
  const body = renderRuleset(s);
  const tagged = body.replace(`table ${TABLE} {\n`, `table ${TABLE} {\n  comment "sovereign:${rulesetHash(body)}"\n`);
  return `table ${TABLE}\ndelete table ${TABLE}\n${tagged}`;
}
