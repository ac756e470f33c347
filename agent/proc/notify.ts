// sd_notify listener: a unix datagram socket per service; READY=1 marks the service ready.
// Bun has no unix datagram sockets, so this is FFI with a non-blocking poll from a timer.
import { chownSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { check, libc } from "../sys/libc.ts";

const AF_UNIX = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000, MSG_DONTWAIT = 0x40;

/** A bound NOTIFY_SOCKET that reports READY=1 / STATUS= lines. */
export class NotifySocket {
  private fd: number;
  private timer?: ReturnType<typeof setInterval>;
  private readonly buf = new Uint8Array(4096);

  constructor(readonly path: string, uid = 0, gid = 0) {
    // Services run as other users: every directory on the way must be searchable (sockets stay private by owner).
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    rmSync(path, { force: true });
    const sun = new Uint8Array(110);
    const p = Buffer.from(path);
    if (p.length > 107) throw new Error(`bind notify socket ${path}: path longer than 107 bytes`);
    new DataView(sun.buffer).setUint16(0, AF_UNIX, true);
    sun.set(p, 2);
    this.fd = check(libc().socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), `create notify socket ${path}`);
    try {
      check(libc().bind(this.fd, sun, 2 + p.length + 1), `bind notify socket ${path}`);
      chownSync(path, uid, gid);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Poll for datagrams; calls onMessage with each `KEY=VALUE` field set. */
  listen(onMessage: (fields: Map<string, string>) => void, intervalMs = 50): void {
    this.timer = setInterval(() => {
      for (;;) {
        const n = Number(libc().recvfrom(this.fd, this.buf, BigInt(this.buf.length), MSG_DONTWAIT, null, null));
        if (n <= 0) return;
        const fields = new Map<string, string>();
        for (const line of new TextDecoder().decode(this.buf.subarray(0, n)).split("\n")) {
          const eq = line.indexOf("=");
          if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
        }
        onMessage(fields);
      }
    }, intervalMs);
  }

  /** Stop polling and remove the socket. */
  close(): void {
    clearInterval(this.timer);
    if (this.fd >= 0) libc().close(this.fd);
    this.fd = -1;
    rmSync(this.path, { force: true });
  }
}
