// Leveled logger: one line per event to every sink (console, kmsg, serial prompt), secrets scrubbed,
// plus a ring buffer per service for its stdout/stderr.
import { closeSync, openSync, writeSync } from "node:fs";

export type Level = "debug" | "info" | "warn" | "error";
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
/** kmsg priorities (syslog levels). */
// info goes to kmsg as debug (7) so the kernel does not echo it onto the console we already write to.
const KMSG_PRIO: Record<Level, number> = { debug: 7, info: 7, warn: 4, error: 3 };

/** A sink receives finished lines (no trailing newline). */
export type Sink = (line: string, level: Level) => void;

/** Fixed-size ring of recent lines, with live followers for `logs -f`. */
export class Ring {
  private lines: string[] = [];
  readonly followers = new Set<(line: string) => void>();
  constructor(private readonly max = 500) {}
  /** Append one line and notify followers. */
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
    for (const f of this.followers) f(line);
  }
  /** The last n lines (all when n is omitted). */
  tail(n?: number): string[] {
    return n === undefined ? [...this.lines] : this.lines.slice(-n);
  }
}

/** The agent's logger. One instance, passed around explicitly. */
export class Logger {
  level: Level = "info";
  private readonly sinks = new Set<Sink>();
  private readonly secrets = new Set<string>();
  private readonly rings = new Map<string, Ring>();
  private kmsgFd = -1;
  readonly agentRing = new Ring(1000);
  private readonly t0 = performance.now();

  /** Add a sink; returns a function that removes it. */
  addSink(s: Sink): () => void {
    this.sinks.add(s);
    return () => this.sinks.delete(s);
  }

  /** Never print this value again (auth keys, passwords). Values shorter than 6 chars are ignored. */
  addSecret(value: string): void {
    const v = value.trim();
    if (v.length >= 6) this.secrets.add(v);
  }

  /** Replace every registered secret in `s` with <redacted>. */
  scrub(s: string): string {
    for (const v of this.secrets) if (s.includes(v)) s = s.split(v).join("<redacted>");
    return s.replace(/(tskey-[a-z]+-)[A-Za-z0-9-]+/g, "$1<redacted>");
  }

  /** Also write to /dev/kmsg (PID 1 only: in a namespace guest it would reach the host's log). */
  openKmsg(path = "/dev/kmsg"): void {
    try { this.kmsgFd = openSync(path, "w"); } catch { this.kmsgFd = -1; }
  }

  /** Stop writing to kmsg. */
  closeKmsg(): void {
    if (this.kmsgFd >= 0) closeSync(this.kmsgFd);
    this.kmsgFd = -1;
  }

  /** Log one event: `[  12.345] info  net: eth0 up`. */
  log(level: Level, subsystem: string, msg: string): void {
    if (RANK[level] < RANK[this.level]) return;
    const secs = ((performance.now() - this.t0) / 1000).toFixed(3).padStart(8);
    const text = this.scrub(`${subsystem}: ${msg}`);
    const line = `[${secs}] ${level.padEnd(5)} ${text}`;
    this.agentRing.push(line);
    for (const s of this.sinks) {
      try { s(line, level); } catch { /* a broken sink must not break logging */ }
    }
    if (this.kmsgFd >= 0) {
      try { writeSync(this.kmsgFd, `<${KMSG_PRIO[level]}>sovereign: ${text}\n`); } catch { /* kmsg is best effort */ }
    }
  }

  debug(sub: string, msg: string): void { this.log("debug", sub, msg); }
  info(sub: string, msg: string): void { this.log("info", sub, msg); }
  warn(sub: string, msg: string): void { this.log("warn", sub, msg); }
  error(sub: string, msg: string): void { this.log("error", sub, msg); }

  /** The ring buffer holding a service's output. */
  ring(service: string): Ring {
    let r = this.rings.get(service);
    if (!r) { r = new Ring(); this.rings.set(service, r); }
    return r;
  }

  /** Record one line of a service's output (scrubbed), and echo it at debug level. */
  serviceLine(service: string, stream: "out" | "err", line: string): void {
    const clean = this.scrub(line);
    this.ring(service).push(`${stream}: ${clean}`);
    this.debug(service, clean);
  }
}

/** Write to stdout as a sink, ignoring EPIPE and friends. */
export function stdoutSink(line: string): void {
  try { writeSync(1, line + "\n"); } catch { /* console gone */ }
}
