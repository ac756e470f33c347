// The serial console: a prompt on hvc0/ttyS0 (or a configured device) sharing the command table with
// ctl. The device is opened once and kept open, in raw mode on that fd: hvc0 resets its termios when
// the last fd closes (reference/qemu.md §4c). Log lines are printed above the prompt, which is redrawn.
import { closeSync, constants, createReadStream, existsSync, fstatSync, openSync, statSync, writeSync, type ReadStream } from "node:fs";
import { errMsg } from "../errors.ts";
import { libc } from "../sys/libc.ts";
import type { AgentState } from "../state.ts";
import { spawnChild } from "../proc/spawn.ts";
import { registerCommand, runCommand } from "./commands.ts";
import { LineEditor } from "./lineedit.ts";

/** Pick the console device: configured list, else hvc0, else ttyS0, else /dev/console. */
export function pickConsole(configured: string[], exists: (p: string) => boolean = existsSync): string[] {
  if (configured.length) return configured;
  for (const d of ["/dev/hvc0", "/dev/ttyS0", "/dev/console"]) if (exists(d)) return [d];
  return [];
}

/** One interactive console on one device. */
export class SerialConsole {
  private fd = -1;
  private stream?: ReadStream;
  private readonly ed = new LineEditor();
  private busy = false;
  private unfollow?: () => void;
  private saved?: Uint8Array;
  readonly prompt: string;

  constructor(private readonly st: AgentState, readonly device: string) {
    this.prompt = `sovereign-${st.config?.role ?? "agent"}> `;
  }

  /** Open the device (O_NOCTTY), set raw mode, greet, and start reading. */
  start(): void {
    // O_NONBLOCK so the open never waits for carrier on a serial port; reads then go blocking
    // (on libuv's thread pool) because the stream reader does not expect EAGAIN.
    this.fd = openSync(this.device, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    const F_GETFL = 3, F_SETFL = 4;
    libc().fcntl(this.fd, F_SETFL, libc().fcntl(this.fd, F_GETFL, 0) & ~constants.O_NONBLOCK);
    const tio = new Uint8Array(128); // struct termios treated as opaque: no per-arch layout
    if (libc().tcgetattr(this.fd, tio) === 0) {
      this.saved = tio.slice();
      libc().cfmakeraw(tio);
      libc().tcsetattr(this.fd, 0, tio);
    }
    this.write(`\r\nsovereign-agent console on ${this.device}: type 'help' (Ctrl-C cancels, Ctrl-U clears the line)\r\n`);
    this.drawPrompt();
    this.listen();
  }

  /** True when this console writes to the same device as fd `other` (avoid double logging). */
  sameDeviceAs(other: number): boolean {
    try { return fstatSync(other).rdev === statSync(this.device).rdev && statSync(this.device).rdev !== 0; } catch { return false; }
  }

  private listen(): void {
    this.stream = createReadStream("", { fd: this.fd, autoClose: false, highWaterMark: 4096 });
    this.stream.on("data", (chunk) => { try { this.onBytes(chunk as Buffer); } catch (e) { this.st.log.warn("console", `input: ${errMsg(e)}`); } });
    this.stream.on("error", (e) => this.st.log.warn("console", `read ${this.device}: ${errMsg(e)}`));
  }

  /** A log line: clear the input line, print the log line, redraw prompt and what was typed. */
  logLine(line: string): void {
    if (this.fd < 0) return;
    if (this.busy) { this.write(`${line}\r\n`); return; }
    this.write(`\r\x1b[K${line}\r\n`);
    this.drawPrompt();
  }

  private write(s: string): void {
    try { writeSync(this.fd, s); } catch { /* host not connected: hvc drops output (status repeats it) */ }
  }

  private drawPrompt(): void {
    this.write(`\r\x1b[K${this.prompt}${this.ed.buf}`);
  }

  private onBytes(b: Uint8Array): void {
    if (this.unfollow) {
      if (b.includes(0x03)) { this.unfollow(); this.unfollow = undefined; this.busy = false; this.write("^C\r\n"); this.drawPrompt(); }
      return;
    }
    if (this.busy) return; // a command is running; typed-ahead input is dropped
    for (const a of this.ed.feed(b)) {
      if (a.kind === "echo") this.write(a.text);
      else if (a.kind === "redraw") this.drawPrompt();
      else if (a.kind === "cancel") { this.write("^C\r\n"); this.drawPrompt(); }
      else if (a.kind === "toolong") { this.write(`error: line of ${a.length} bytes rejected (max 4096)\r\n`); this.drawPrompt(); }
      else if (a.kind === "line") void this.run(a.line);
    }
  }

  private async run(line: string): Promise<void> {
    const argv = line.trim().split(/\s+/).filter(Boolean);
    if (!argv.length) { this.drawPrompt(); return; }
    this.busy = true;
    try {
      if (argv[0] === "shell") { await this.shell(); return; }
      const r = await runCommand(this.st, argv);
      if (r.text) this.write(r.text.replace(/\r?\n/g, "\r\n") + "\r\n");
      if (r.follow) {
        this.write("(following; Ctrl-C stops)\r\n");
        this.unfollow = r.follow((l) => this.write(`${l}\r\n`));
        return; // stays busy until Ctrl-C
      }
    } catch (e) {
      this.write(`error: ${errMsg(e)}\r\n`);
    }
    this.busy = false;
    this.drawPrompt();
  }

  /** /bin/sh on the console, only with sovereign.debug_shell=1; cooked mode while it runs. */
  private async shell(): Promise<void> {
    try {
      if (!this.st.config?.console.debug_shell) { this.write("shell: disabled (boot with sovereign.debug_shell=1 to enable)\r\n"); return; }
      this.stream?.pause();
      if (this.saved) libc().tcsetattr(this.fd, 0, this.saved);
      const child = spawnChild({ argv: ["/bin/sh", "-i"], stdin: this.fd, stdout: this.fd, stderr: this.fd, env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root", TERM: "vt100", PS1: "sovereign-shell# " }, newSession: false });
      await child.exited;
    } finally {
      const tio = new Uint8Array(128);
      if (libc().tcgetattr(this.fd, tio) === 0) { libc().cfmakeraw(tio); libc().tcsetattr(this.fd, 0, tio); }
      this.stream?.resume();
      this.busy = false;
      this.write("\r\n(shell exited)\r\n");
      this.drawPrompt();
    }
  }

  /** Close the device. */
  stop(): void {
    this.unfollow?.();
    this.stream?.destroy();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Register `shell` (it runs only on a serial console, and only with debug_shell). */
export function registerShellCommand(): void {
  registerCommand({
    name: "shell", usage: "shell", summary: "a /bin/sh on this console (only with sovereign.debug_shell=1)",
    run: (st) => ({ ok: false, text: st.config?.console.debug_shell ? "shell: only on the serial console" : "shell: disabled (boot with sovereign.debug_shell=1 to enable)" }),
  });
}
