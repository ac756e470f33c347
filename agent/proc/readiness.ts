// Readiness probes: a real check that the service answers, not a timer.
import { connect } from "node:net";
import type { ReadySpec } from "../config/schema.ts";
import { runCapture, type SpawnSpec } from "./spawn.ts";

/** Try a TCP connect once; resolves true when the port accepts. */
export function tcpProbe(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => { sock.destroy(); clearTimeout(t); resolve(ok); };
    const t = setTimeout(() => done(false), timeoutMs);
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

/** One probe attempt for a spec other than none/notify. */
export async function probeOnce(spec: ReadySpec, base: Omit<SpawnSpec, "argv">): Promise<boolean> {
  if (spec.kind === "tcp") return tcpProbe(spec.host, spec.port);
  if (spec.kind === "exec") return (await runCapture({ ...base, argv: spec.argv }, 10_000)).status === 0;
  return false;
}
