// The agent's live state, shared by boot, the command table, the control socket and the console.
import type { PhaseResult } from "./boot.ts";
import type { AgentConfig } from "./config/schema.ts";
import type { Logger } from "./log.ts";
import type { Supervisor } from "./proc/supervisor.ts";
import type { ProbeResult } from "./kernel/preflight.ts";

export type ShutdownKind = "poweroff" | "reboot";

/** A status provider plugs extra sections (tailscale, net) into status and commands. */
export interface AgentState {
  log: Logger;
  config?: AgentConfig;
  configProblems: string[];
  configFile?: string;
  phases: PhaseResult[];
  sup: Supervisor;
  startedAt: number;
  pid1: boolean;
  shuttingDown: boolean;
  /** Begin an ordered shutdown; returns at once. */
  requestShutdown: (kind: ShutdownKind, reason: string) => void;
  /** Extra status sections by name (e.g. "tailscale"), filled in by later subsystems. */
  sections: Map<string, () => unknown>;
  /** Last boot preflight results (diag re-runs them live). */
  preflight?: ProbeResult[];
}
