// Ordered shutdown: services in reverse dependency order, then (PID 1 only) every remaining process,
// unmount the data disk, sync and reboot(2). Not PID 1: a plain exit (DESIGN §5a).
import { readdirSync, readFileSync } from "node:fs";
import { errMsg } from "./errors.ts";
import type { AgentState, ShutdownKind } from "./state.ts";
import { RB, reboot, sync, umount } from "./sys/syscalls.ts";

const PF_KTHREAD = 0x00200000;

/** Pids of every other live user process in our pid namespace (zombies and kernel threads excluded:
 *  kill(-1) never reaches kernel threads, so waiting for them would only stall shutdown). */
function otherProcesses(): number[] {
  const out: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const st = readFileSync(`/proc/${e}/stat`, "utf8");
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      if (f[0] !== "Z" && (Number(f[6]) & PF_KTHREAD) === 0) out.push(Number(e));
    } catch { /* exited */ }
  }
  return out;
}

async function waitGone(ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (otherProcesses().length === 0) return true;
    await Bun.sleep(50);
  }
  return otherProcesses().length === 0;
}

/** Hooks a shutdown runs after services stop (e.g. tailscaled is a service; data-disk unmount). */
export interface ShutdownExtras { unmount: string[]; beforeExit?: () => void }

/** Run the shutdown sequence. Never returns normally as PID 1 (the kernel powers off). */
export async function shutdown(st: AgentState, kind: ShutdownKind, reason: string, extras: ShutdownExtras): Promise<void> {
  const log = st.log;
  log.info("shutdown", `${kind} requested: ${reason}`);
  try {
    await st.sup.stopAll();
  } catch (e) {
    log.error("shutdown", `stop services: ${errMsg(e)}`);
  }
  log.info("shutdown", "all services stopped");
  if (!st.pid1) {
    log.info("shutdown", `not PID 1: exiting instead of ${kind}`);
    extras.beforeExit?.();
    process.exit(0);
  }
  if (otherProcesses().length) {
    log.info("shutdown", `sending SIGTERM to ${otherProcesses().length} remaining processes`);
    try { process.kill(-1, "SIGTERM"); } catch { /* none */ }
    if (!(await waitGone(5000))) {
      log.warn("shutdown", `sending SIGKILL to ${otherProcesses().length} processes that ignored SIGTERM`);
      try { process.kill(-1, "SIGKILL"); } catch { /* none */ }
      await waitGone(2000);
    }
  }
  for (const m of extras.unmount) {
    try { umount(m); log.info("shutdown", `unmounted ${m}`); } catch (e) {
      log.warn("shutdown", `${errMsg(e)}; detaching lazily`);
      try { umount(m, 2); } catch { /* nothing more to do */ }
    }
  }
  sync();
  log.info("shutdown", `sync done; ${kind === "reboot" ? "rebooting" : "powering off"}`);
  extras.beforeExit?.();
  reboot(kind === "reboot" ? RB.AUTOBOOT : RB.POWER_OFF);
}

/** The one structured line printed on a fatal path, before power-off. */
export function fatalLine(reason: string, detail: string): string {
  return `SOVEREIGN-FATAL reason=${reason.replace(/\s+/g, "_")} detail=${detail.replace(/\n/g, " ")}`;
}
