// The boot phase table: each phase is timed, logged, and recorded for `status --json`.
import { errMsg } from "./errors.ts";
import type { Logger } from "./log.ts";

/** One finished phase as shown in status. */
export interface PhaseResult { name: string; ms: number; ok: boolean; error?: string; note?: string }

/** A boot phase: run returns an optional note ("skipped: not PID 1"); throwing marks it failed. */
export interface Phase { name: string; run: () => Promise<string | void> | string | void }

/** Run phases in order. A failed phase is logged and boot goes on: PID 1 never stops halfway. */
export async function runPhases(phases: Phase[], log: Logger, into: PhaseResult[]): Promise<void> {
  for (const p of phases) {
    const t0 = performance.now();
    try {
      const note = (await p.run()) || undefined;
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      into.push({ name: p.name, ms, ok: true, ...(note ? { note } : {}) });
      log.info("boot", `phase ${p.name} ok (${ms} ms)${note ? `: ${note}` : ""}`);
    } catch (e) {
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      into.push({ name: p.name, ms, ok: false, error: errMsg(e) });
      log.error("boot", `phase ${p.name} FAILED (${ms} ms): ${errMsg(e)}`);
    }
  }
}
