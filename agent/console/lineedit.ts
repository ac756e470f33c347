// Pure line editor for the serial console: bytes in, actions out. Handles backspace, Ctrl-C, Ctrl-U,
// Ctrl-L, Enter (CR or LF), history (up/down arrows), and ignores escape sequences and binary junk.

/** Longest line accepted; longer input is rejected at Enter. */
export const MAX_LINE = 4096;

export type EditAction =
  | { kind: "echo"; text: string }         // write to the terminal
  | { kind: "line"; line: string }         // a complete line to run
  | { kind: "cancel" }                     // Ctrl-C
  | { kind: "redraw" }                     // Ctrl-L or history recall: redraw prompt + buffer
  | { kind: "toolong"; length: number };   // Enter on an over-long line

/** Editor state: the current buffer and the history. */
export class LineEditor {
  buf = "";
  private overflow = 0;
  private esc = 0; // 0 none, 1 after ESC, 2 inside CSI
  private csi = "";
  private lastCR = false;
  private readonly history: string[] = [];
  private hpos = 0;

  /** Feed raw bytes; returns what to do, in order. */
  feed(bytes: Uint8Array): EditAction[] {
    const out: EditAction[] = [];
    for (const b of bytes) {
      if (this.esc === 1) { this.esc = b === 0x5b || b === 0x4f ? 2 : 0; this.csi = ""; continue; }
      if (this.esc === 2) {
        if (b >= 0x40 && b <= 0x7e) { this.esc = 0; this.arrow(String.fromCharCode(b), out); } else this.csi += String.fromCharCode(b);
        continue;
      }
      const wasCR = this.lastCR;
      this.lastCR = b === 0x0d;
      if (b === 0x0a && wasCR) continue; // CRLF counts once
      switch (b) {
        case 0x0d: case 0x0a: {
          const line = this.buf, over = this.overflow;
          this.buf = ""; this.overflow = 0;
          out.push({ kind: "echo", text: "\r\n" });
          if (over) out.push({ kind: "toolong", length: line.length + over });
          else { if (line.trim() && this.history[this.history.length - 1] !== line) this.history.push(line); if (this.history.length > 100) this.history.shift(); this.hpos = this.history.length; out.push({ kind: "line", line }); }
          break;
        }
        case 0x7f: case 0x08:
          if (this.overflow) this.overflow--;
          else if (this.buf) { this.buf = this.buf.slice(0, -1); out.push({ kind: "echo", text: "\b \b" }); }
          break;
        case 0x03: this.buf = ""; this.overflow = 0; out.push({ kind: "cancel" }); break;
        case 0x15: this.buf = ""; this.overflow = 0; out.push({ kind: "redraw" }); break;
        case 0x0c: out.push({ kind: "redraw" }); break;
        case 0x1b: this.esc = 1; break;
        default:
          if (b < 0x20 || b > 0x7e) break; // binary junk and non-ASCII are ignored
          if (this.buf.length >= MAX_LINE) { this.overflow++; break; }
          this.buf += String.fromCharCode(b);
          out.push({ kind: "echo", text: String.fromCharCode(b) });
      }
    }
    return out;
  }

  private arrow(final: string, out: EditAction[]): void {
    if (final === "A" && this.hpos > 0) { this.hpos--; this.buf = this.history[this.hpos]; out.push({ kind: "redraw" }); }
    if (final === "B") { this.hpos = Math.min(this.hpos + 1, this.history.length); this.buf = this.history[this.hpos] ?? ""; out.push({ kind: "redraw" }); }
  }
}
