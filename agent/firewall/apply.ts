// Apply the agent's table atomically and idempotently; show the live ruleset for `fw`.
import { nftQuery, nftRun } from "./nft.ts";
import { renderRuleset, renderTransaction, rulesetHash, TABLE, type FirewallSpec } from "./ruleset.ts";

/** Apply the ruleset unless the live table already carries the same hash. Returns what happened. */
export async function applyFirewall(spec: FirewallSpec, nft = "/usr/sbin/nft"): Promise<"applied" | "unchanged"> {
  const want = `sovereign:${rulesetHash(renderRuleset(spec))}`;
  // nft 1.0.6's JSON omits table comments; the text listing has them.
  const cur = await nftQuery(nft, ["list", "table", ...TABLE.split(" ")]);
  if (cur.ok && /comment "([^"]*)"/.exec(cur.out)?.[1] === want) return "unchanged";
  await nftRun(nft, renderTransaction(spec), `apply firewall table ${TABLE}`);
  return "applied";
}

/** `fw`: the live ruleset of our table (and a note on tailscaled's tables). */
export async function showFirewall(nft = "/usr/sbin/nft"): Promise<{ ok: boolean; text: string }> {
  const ours = await nftQuery(nft, ["list", "table", ...TABLE.split(" ")]);
  const all = await nftQuery(nft, ["list", "tables"]);
  const others = all.ok ? all.out.split("\n").filter((l) => l && !l.includes("sovereign")).map((l) => l.replace(/^table /, "")) : [];
  if (!ours.ok) return { ok: false, text: `fw: table ${TABLE} is not loaded (${ours.err || "nft failed"}); hint: see the boot log for 'firewall'` };
  return { ok: true, text: `${ours.out.trimEnd()}\n# other tables (not ours): ${others.join(", ") || "none"}` };
}
