// The field notes' failure as a diagnostic: connect from a socket marked SO_MARK 0x80000, as
// tailscaled's own sockets are, and see whether policy routing lets it through. With tailscaled's
// rules that mark must hit `5210: fwmark 0x80000/0xff0000 lookup main`; without it the packet
// falls to `5250 unreachable` (ENETUNREACH).
import { SysError } from "../errors.ts";
import { errno, libc } from "../sys/libc.ts";
import { parseIp4 } from "./addr.ts";
import { TS_BYPASS_MARK } from "./policy.ts";

const AF_INET = 2, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000, SOL_SOCKET = 1, SO_MARK = 36, SO_SNDTIMEO = 21;

/** Outcome of one marked connect. */
export interface MarkProbe { target: string; routed: boolean; open: boolean; detail: string }

/** Connect to ip:port from a marked socket (blocking, bounded by SO_SNDTIMEO). */
export function markedConnect(ip: string, port: number, mark = TS_BYPASS_MARK, timeoutMs = 700): MarkProbe {
  const target = `${ip}:${port}`;
  const addr = parseIp4(ip);
  if (!addr) return { target, routed: false, open: false, detail: `${ip} is not an IPv4 address` };
  const fd = libc().socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return { target, routed: false, open: false, detail: new SysError("create socket", errno()).message };
  try {
    if (libc().setsockopt(fd, SOL_SOCKET, SO_MARK, new Int32Array([mark]), 4) < 0) {
      return { target, routed: false, open: false, detail: new SysError(`set SO_MARK 0x${mark.toString(16)}`, errno()).message };
    }
    const ms = BigInt(timeoutMs);
    libc().setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, new BigInt64Array([ms / 1000n, (ms % 1000n) * 1000n]), 16);
    const sa = new Uint8Array(16);
    new DataView(sa.buffer).setUint16(0, AF_INET, true);
    new DataView(sa.buffer).setUint16(2, port, false);
    sa.set(addr, 4);
    if (libc().connect(fd, sa, 16) === 0) return { target, routed: true, open: true, detail: `connected with mark 0x${mark.toString(16)}` };
    const e = new SysError(`connect to ${target} with mark 0x${mark.toString(16)}`, errno());
    // A refused connection still proves the route: the peer answered with RST.
    if (e.code === "ECONNREFUSED") return { target, routed: true, open: false, detail: `routed, but nothing listens (${e.code})` };
    // connect() with SO_SNDTIMEO reports a timeout as EINPROGRESS
    if (e.code === "EINPROGRESS") return { target, routed: false, open: false, detail: `no answer from ${target} within ${timeoutMs} ms with mark 0x${mark.toString(16)} (host down, filtered, or routed into the tunnel)` };
    return { target, routed: false, open: false, detail: e.message };
  } finally {
    libc().close(fd);
  }
}
