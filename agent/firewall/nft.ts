// Running `nft`: one atomic transaction per call (nft -f - applies a whole script or nothing).
import { existsSync } from "node:fs";
import { runCapture } from "../proc/spawn.ts";

/** Run an nft script; throws "<what>: <nft's first error line>". */
export async function nftRun(nft: string, script: string, what: string): Promise<string> {
  if (!existsSync(nft)) throw new Error(`${what}: ${nft} not found (the image needs the nftables package)`);
  const r = await runCapture({ argv: [nft, "-f", "-"], stdin: new TextEncoder().encode(script) }, 10_000);
  if (r.status !== 0) {
    const line = r.stderr.split("\n").find((l) => /Error|error/.test(l)) || r.stderr.trim().split("\n")[0] || `exit status ${r.status}${r.signal ? ` (${r.signal})` : ""}, no message`;
    throw new Error(`${what}: nft: ${line.trim()}`);
  }
  return r.stdout;
}

/** Run nft with arguments and return stdout (list commands). */
export async function nftQuery(nft: string, args: string[]): Promise<{ ok: boolean; out: string; err: string }> {
  if (!existsSync(nft)) return { ok: false, out: "", err: `${nft} not found` };
  const r = await runCapture({ argv: [nft, ...args] }, 10_000);
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.trim() };
}
