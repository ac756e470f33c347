// The spawn wrapper: the only way the agent starts processes. Every pid it returns is recorded in
// `owned`, so the PID-1 reaper never steals a child Bun is waiting for (reference/bun.md §3).
import { constants } from "node:os";
import type { Subprocess } from "bun";
import { getrlimit, RLIMIT, setrlimit } from "../sys/syscalls.ts";
import type { Identity } from "./users.ts";

/** Pids started through spawnChild and not yet reaped by Bun. The reaper skips these. */
export const owned = new Set<number>();

/** The default PATH for children. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** How a child ended: `status` is the exit code, or 128+signal for signal deaths (shell convention). */
export interface ExitInfo { code: number | null; signal: string | null; status: number }

/** What to start and how. */
export interface SpawnSpec {
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
  identity?: Identity;          // run as this user with exactly these groups (via setpriv)
  nofile?: number;              // soft RLIMIT_NOFILE for the child
  stdin?: "ignore" | "inherit" | number | Uint8Array; // bytes are fed to the child's stdin
  stdout?: "pipe" | "inherit" | "ignore" | number;
  stderr?: "pipe" | "inherit" | "ignore" | number;
  setpriv?: string;             // path of util-linux setpriv
  newSession?: boolean;         // own session + process group (default true)
  extraFds?: number[];          // passed as fds 3, 4, ... (e.g. tailscaled's TS_PARENT_DEATH_FD)
}

let execHelper: string | undefined;

/** Start every later child through `HELPER exec ...` (sovereign-init), which clears the signal mask
 *  and dispositions before exec: Bun's spawn alone sometimes leaves a signal blocked. */
export function setExecHelper(path: string | undefined): void {
  execHelper = path;
}

/** A started child. */
export interface Child { pid: number; proc: Subprocess<any, any, any>; exited: Promise<ExitInfo>; stdout?: ReadableStream<Uint8Array>; stderr?: ReadableStream<Uint8Array> }

/** Convert Bun's exit fields into ExitInfo. */
export function exitInfo(code: number | null, signal: string | null): ExitInfo {
  if (signal) return { code: null, signal, status: 128 + ((constants.signals as Record<string, number>)[signal] ?? 0) };
  return { code, signal: null, status: code ?? 0 };
}

/** argv with the setpriv prefix that sets uid, gid and the exact supplementary groups. */
export function privArgv(argv: string[], id: Identity | undefined, setpriv = "/usr/bin/setpriv"): string[] {
  if (!id || (id.uid === 0 && id.gid === 0 && id.groups.every((g) => g === 0))) return argv;
  const groups = id.groups.length ? [`--groups=${id.groups.join(",")}`] : ["--clear-groups"];
  return [setpriv, `--reuid=${id.uid}`, `--regid=${id.gid}`, ...groups, "--", ...argv];
}

/** Start a process: clean signal state (Bun's posix_spawn resets mask and dispositions), no fds beyond
 *  stdio (Bun opens everything CLOEXEC), its own session, the given identity, env, cwd and NOFILE. */
export function spawnChild(spec: SpawnSpec): Child {
  const argv = execHelper ? [execHelper, "exec", ...privArgv(spec.argv, spec.identity, spec.setpriv)] : privArgv(spec.argv, spec.identity, spec.setpriv);
  const env = spec.env ?? { PATH: DEFAULT_PATH };
  // Bun raises its own NOFILE soft limit at start-up and children inherit it. posix_spawn copies our
  // limits synchronously, so lower ours around the call (the JS thread does nothing else meanwhile).
  let saved: [bigint, bigint] | undefined;
  if (spec.nofile !== undefined) {
    saved = getrlimit(RLIMIT.NOFILE);
    const soft = BigInt(spec.nofile) < saved[1] ? BigInt(spec.nofile) : saved[1];
    setrlimit(RLIMIT.NOFILE, soft, saved[1]);
  }
  let proc: Subprocess<any, any, any>;
  try {
    proc = Bun.spawn(argv, {
      env, cwd: spec.cwd ?? "/",
      stdio: [spec.stdin ?? "ignore", spec.stdout ?? "pipe", spec.stderr ?? "pipe", ...(spec.extraFds ?? [])] as any,
      detached: spec.newSession ?? true,
    });
  } finally {
    if (saved) setrlimit(RLIMIT.NOFILE, saved[0], saved[1]);
  }
  const pid = proc.pid;
  owned.add(pid);
  const exited = proc.exited.then(() => {
    owned.delete(pid);
    return exitInfo(proc.exitCode, proc.signalCode === null ? null : String(proc.signalCode));
  });
  const stream = (x: unknown) => (x instanceof ReadableStream ? (x as ReadableStream<Uint8Array>) : undefined);
  return { pid, proc, exited, stdout: stream(proc.stdout), stderr: stream(proc.stderr) };
}

/** Run a command to completion and collect its output (for probes and setup steps). */
export async function runCapture(spec: SpawnSpec, timeoutMs = 30_000): Promise<ExitInfo & { stdout: string; stderr: string }> {
  const child = spawnChild({ ...spec, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } }, timeoutMs);
  const [stdout, stderr, info] = await Promise.all([
    new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited,
  ]);
  clearTimeout(timer);
  return { ...info, stdout, stderr };
}

/** Stream a readable pipe line by line into `onLine`. Resolves at EOF. */
export async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += dec.decode(chunk, { stream: true });
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      onLine(buf.slice(0, i).replace(/\r$/, ""));
      buf = buf.slice(i + 1);
    }
    if (buf.length > 8192) { onLine(buf); buf = ""; }
  }
  if (buf) onLine(buf);
}
