// `diag`: every check as a PASS/FAIL table with a hint per failure. Subsystems register providers.
import { errMsg } from "../errors.ts";
import type { AgentState } from "../state.ts";
import { registerCommand } from "./commands.ts";

/** One diag row. */
export interface DiagLine { check: string; ok: boolean; detail: string; hint?: string }

type Provider = { name: string; run: (st: AgentState) => Promise<DiagLine[]> | DiagLine[] };
const providers: Provider[] = [];

/** Add a group of checks to `diag` (in registration order). */
export function registerDiag(name: string, run: Provider["run"]): void {
  const i = providers.findIndex((p) => p.name === name);
  if (i >= 0) providers[i] = { name, run }; else providers.push({ name, run });
}

/** Run every provider; a provider that throws becomes one FAIL row. */
export async function runDiag(st: AgentState): Promise<DiagLine[]> {
  const out: DiagLine[] = [];
  for (const p of providers) {
    try { out.push(...(await p.run(st))); } catch (e) { out.push({ check: p.name, ok: false, detail: errMsg(e), hint: "this check itself failed; see `logs agent`" }); }
  }
  return out;
}

/** Render rows as the diag table. */
export function renderDiag(rows: DiagLine[]): string {
  const w = Math.max(10, ...rows.map((r) => r.check.length));
  const lines = rows.flatMap((r) => [`${r.ok ? "PASS" : "FAIL"}  ${r.check.padEnd(w)}  ${r.detail}`, ...(r.ok || !r.hint ? [] : [`      ${"".padEnd(w)}  hint: ${r.hint}`])]);
  const failed = rows.filter((r) => !r.ok).length;
  lines.push(`diag: ${rows.length} checks, ${failed ? `${failed} FAILED` : "all passed"}`);
  return lines.join("\n");
}

/** Register `diag [--json]`. */
export function registerDiagCommand(): void {
  registerCommand({
    name: "diag", usage: "diag [--json]", summary: "run every check: kernel, network, forwarding, tailscale, services",
    run: async (st, a) => {
      const rows = await runDiag(st);
      return { ok: rows.every((r) => r.ok), text: a.includes("--json") ? JSON.stringify(rows, null, 2) : renderDiag(rows) };
    },
  });
}
