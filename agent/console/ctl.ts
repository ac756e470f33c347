// `sovereign-agent ctl`: send one command over the control socket and print the reply.
import { errMsg } from "../errors.ts";

/** Default control socket path (config control.socket). */
export const DEFAULT_SOCKET = "/run/sovereign/agent.sock";

/** Run a command against a live agent. Resolves to the process exit code. */
export function ctl(socketPath: string, argv: string[], out = (s: string) => process.stdout.write(s), err = (s: string) => process.stderr.write(s)): Promise<number> {
  return new Promise((resolve) => {
    let buf = "", settled = false, first = true, code = 1;
    const finish = (c: number) => { if (!settled) { settled = true; resolve(c); } };
    const handle = (line: string) => {
      if (!line) return;
      let msg: any;
      try { msg = JSON.parse(line); } catch { err(`ctl: read reply: not JSON: ${line.slice(0, 80)}\n`); return; }
      if (first) {
        first = false;
        code = msg.ok ? 0 : 1;
        if (msg.text) (msg.ok ? out : err)(msg.text.endsWith("\n") ? msg.text : msg.text + "\n");
      } else if (typeof msg.line === "string") {
        out(msg.line + "\n");
      }
    };
    Bun.connect({
      unix: socketPath,
      socket: {
        open(s) { s.write(JSON.stringify({ argv }) + "\n"); },
        data(_s, chunk) {
          buf += new TextDecoder().decode(chunk);
          let i: number;
          while ((i = buf.indexOf("\n")) >= 0) { handle(buf.slice(0, i)); buf = buf.slice(i + 1); }
        },
        close() { handle(buf); if (first) err("ctl: the agent closed the connection without a reply\n"); finish(first ? 1 : code); },
        error(_s, e) { err(`ctl: ${errMsg(e)}\n`); finish(1); },
        connectError(_s, e) {
          err(`ctl: connect ${socketPath}: ${errMsg(e)} (is the agent running? pass --socket PATH)\n`);
          finish(2);
        },
      },
    }).catch((e) => { err(`ctl: connect ${socketPath}: ${errMsg(e)} (is the agent running? pass --socket PATH)\n`); finish(2); });
  });
}
