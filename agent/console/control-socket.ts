// The control socket: one JSON request line in, JSON reply lines out. Mode 0600, root only.
// Request:  {"argv":["status","--json"]}
// Reply:    {"ok":true,"text":"..."}            then, for `logs -f`, {"line":"..."} until the client hangs up.
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { Socket, UnixSocketListener } from "bun";
import { errMsg } from "../errors.ts";
import type { AgentState } from "../state.ts";
import { runCommand } from "./commands.ts";

/** Largest request accepted; anything longer is refused (and the connection closed). */
export const MAX_REQUEST = 4096;

interface ConnData { buf: string; done: boolean; unfollow?: () => void }

/** Serve the command table on a unix socket; returns the listener (stop() closes it). */
export function serveControl(st: AgentState, path: string): UnixSocketListener<ConnData> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  rmSync(path, { force: true });
  const send = (s: Socket<ConnData>, obj: unknown) => { s.write(JSON.stringify(obj) + "\n"); };
  const listener = Bun.listen<ConnData>({
    unix: path,
    socket: {
      open(s) { s.data = { buf: "", done: false }; },
      data(s, chunk) {
        if (s.data.done) return;
        s.data.buf += new TextDecoder().decode(chunk);
        if (s.data.buf.length > MAX_REQUEST) { s.data.done = true; send(s, { ok: false, text: `request longer than ${MAX_REQUEST} bytes` }); s.end(); return; }
        const nl = s.data.buf.indexOf("\n");
        if (nl < 0) return;
        s.data.done = true;
        let argv: string[];
        try {
          argv = JSON.parse(s.data.buf.slice(0, nl)).argv;
          if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string")) throw new Error("argv must be a list of strings");
        } catch (e) {
          send(s, { ok: false, text: `parse request: ${errMsg(e)}` });
          s.end();
          return;
        }
        void runCommand(st, argv).then((r) => {
          send(s, { ok: r.ok, text: r.text });
          if (r.follow) s.data.unfollow = r.follow((line) => send(s, { line }));
          else s.end();
        });
      },
      close(s) { s.data?.unfollow?.(); },
      error(s) { s.data?.unfollow?.(); },
    },
  });
  chmodSync(path, 0o600);
  return listener;
}
