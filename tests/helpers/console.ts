// Drive a serial console through a pty, expect-style: send bytes, wait for output, read what came.
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ROOT } from "./env.ts";
import { waitFor } from "./poll.ts";

/** Expect-style driving of a console: subclasses say how bytes get there. */
export abstract class ConsoleDriver {
  out = "";
  /** Write raw bytes/text to the console. */
  abstract send(s: string | Uint8Array): void;

  /** Send a line and return everything printed until the prompt that ends its output. Log lines
   *  the agent prints meanwhile (each followed by a redrawn prompt) are skipped and removed. */
  async command(line: string, prompt: string, timeoutMs = 15_000): Promise<string> {
    const start = this.out.length;
    this.send(line + "\r");
    const end = await waitFor(`prompt after ${JSON.stringify(line.slice(0, 30))}`, () => {
      const nl = this.out.indexOf("\r\n", start); // the echo of Enter ends the typed line
      for (let i = nl >= 0 ? this.out.indexOf(prompt, nl) : -1; i >= 0; i = this.out.indexOf(prompt, i + 1)) {
        const before = clean(this.out.slice(start, i)).replace(/\n$/, "");
        const lastLine = before.slice(before.lastIndexOf("\n") + 1);
        if (!LOG_LINE.test(lastLine)) return i;
      }
      return null;
    }, timeoutMs, 10);
    return this.out.slice(start, end).split("\n").filter((l) => !LOG_LINE.test(clean(l))).join("\n");
  }

  /** Wait until the output contains `text` (after offset `from`). */
  async expect(text: string, from = 0, timeoutMs = 15_000): Promise<number> {
    return waitFor(`console shows ${JSON.stringify(text.slice(0, 40))}`, () => { const i = this.out.indexOf(text, from); return i >= 0 ? i + 1 : null; }, timeoutMs, 10);
  }

}

/** A pty whose slave the agent serves its console on. */
export class PtyConsole extends ConsoleDriver {
  private constructor(readonly proc: Subprocess<"pipe", "pipe", "inherit">, readonly slave: string) { super(); }

  /** Open the pty (python3 relay) and start collecting output. */
  static async open(): Promise<PtyConsole> {
    const proc = Bun.spawn(["python3", join(ROOT, "tests/helpers/pty-relay.py")], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    const reader = proc.stdout.getReader();
    let buf = "";
    while (!buf.includes("\n")) { const { value, done } = await reader.read(); if (done) throw new Error("open pty: relay exited"); buf += new TextDecoder().decode(value); }
    const slave = buf.slice(0, buf.indexOf("\n"));
    const c = new PtyConsole(proc, slave);
    c.out = buf.slice(buf.indexOf("\n") + 1);
    void (async () => { for (;;) { const { value, done } = await reader.read(); if (done) return; c.out += new TextDecoder().decode(value); } })();
    return c;
  }


  send(s: string | Uint8Array): void {
    this.proc.stdin.write(s);
    this.proc.stdin.flush();
  }

  /** Close the pty. */
  close(): void {
    this.proc.kill();
  }
}

/** A line the agent's logger printed (not command output). */
const LOG_LINE = /^(\r?\x1b\[K)?\[\s*\d+\.\d{3}\] (debug|info |warn |error) /;

/** Strip CRs and ANSI line clears; keep the text an operator would see. */
export function clean(s: string): string {
  return s.replace(/\x1b\[K/g, "").replace(/\r/g, "");
}
