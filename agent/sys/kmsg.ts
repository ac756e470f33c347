// OOM detection: after a SIGKILL death, look in the kernel log for the OOM killer's record of that pid.
import { closeSync, constants, openSync, readSync } from "node:fs";

/** True when a kmsg record says the OOM killer killed `pid`. */
export function isOomRecord(record: string, pid: number): boolean {
  return new RegExp(`(Out of memory|Memory cgroup out of memory): Killed process ${pid}\\b|oom-kill:.*\\bpid=${pid}\\b`).test(record);
}

/** Scan /dev/kmsg (non-blocking, whole buffer) for an OOM kill of `pid`. False when unreadable. */
export function oomKilled(pid: number, path = "/dev/kmsg"): boolean {
  let fd = -1;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const buf = Buffer.alloc(8192);
    for (let i = 0; i < 100_000; i++) {
      let n: number;
      try { n = readSync(fd, buf, 0, buf.length, null); } catch (e) { if ((e as NodeJS.ErrnoException).code === "EPIPE") continue; break; } // EAGAIN: end
      if (n <= 0) break;
      if (isOomRecord(buf.toString("utf8", 0, n), pid)) return true;
    }
    return false;
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
