// NETLINK_ROUTE socket over libc: sequence numbers checked; ACK, ERROR, DONE and multipart handled.
// Replies to rtnetlink requests are queued before sendto returns, so recv with MSG_DONTWAIT normally
// has data; SO_RCVTIMEO (1 s) bounds the blocking fallback so a lost reply cannot wedge PID 1.
import { SysError } from "../errors.ts";
import { check, errno, libc } from "../sys/libc.ts";
import { errorCode, NetlinkDecodeError, parseMessages, type MsgWriter, type NlMsg } from "./codec.ts";
import { NLM_F, NLMSG } from "./constants.ts";

/** A kernel-reported netlink failure: `op` says what we were doing, `code` the errno name. */
export class NetlinkError extends SysError {
  constructor(op: string, errno: number) {
    super(op, errno);
    this.name = "NetlinkError";
  }
}

/** The byte pipe under a netlink socket; tests inject fakes to feed malformed replies. */
export interface NlTransport {
  send(b: Uint8Array): void;
  /** Next datagram; throws SysError on failure. */
  recv(): Uint8Array;
  close(): void;
}

const AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, NETLINK_ROUTE = 0;
const SOL_SOCKET = 1, SO_RCVTIMEO = 20, SO_RCVBUF = 8, SOL_NETLINK = 270, NETLINK_EXT_ACK = 11, MSG_DONTWAIT = 0x40, EAGAIN = 11;

/** The real transport: AF_NETLINK socket in the caller's network namespace. */
export class FfiTransport implements NlTransport {
  private fd: number;
  private readonly rbuf = new Uint8Array(1 << 16);
  private readonly sa = new Uint8Array(12);
  constructor() {
    new DataView(this.sa.buffer).setUint16(0, AF_NETLINK, true);
    this.fd = check(libc().socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), "open netlink socket");
    try {
      check(libc().bind(this.fd, this.sa, 12), "bind netlink socket");
      libc().setsockopt(this.fd, SOL_NETLINK, NETLINK_EXT_ACK, new Int32Array([1]), 4);
      libc().setsockopt(this.fd, SOL_SOCKET, SO_RCVBUF, new Int32Array([1 << 20]), 4);
      check(libc().setsockopt(this.fd, SOL_SOCKET, SO_RCVTIMEO, new BigInt64Array([1n, 0n]), 16), "set netlink receive timeout");
    } catch (e) {
      this.close();
      throw e;
    }
  }
  send(b: Uint8Array): void {
    check(libc().sendto(this.fd, b, BigInt(b.length), 0, this.sa, 12), "send netlink request");
  }
  recv(): Uint8Array {
    let n = Number(libc().recvfrom(this.fd, this.rbuf, BigInt(this.rbuf.length), MSG_DONTWAIT, null, null));
    if (n < 0 && errno() === EAGAIN) n = Number(libc().recvfrom(this.fd, this.rbuf, BigInt(this.rbuf.length), 0, null, null));
    if (n < 0) throw new SysError("receive netlink reply", errno());
    return this.rbuf.slice(0, n);
  }
  close(): void {
    if (this.fd >= 0) libc().close(this.fd);
    this.fd = -1;
  }
}

/** Request/response over a transport. Counts writes (non-dump requests) for idempotence checks. */
export class NetlinkSocket {
  private seq = Math.floor(Date.now() / 1000) & 0xffff;
  writes = 0;
  constructor(private readonly t: NlTransport = new FfiTransport()) {}

  /** Send one request and collect its replies; `op` names the operation in errors ("add address 10.0.0.2/24 to eth0"). */
  request(m: MsgWriter, op: string): NlMsg[] {
    const seq = ++this.seq;
    const dump = (m.flags & NLM_F.DUMP) === NLM_F.DUMP;
    if (!dump) this.writes++;
    this.t.send(m.finish(seq));
    const out: NlMsg[] = [];
    for (;;) {
      let msgs: NlMsg[];
      try {
        msgs = parseMessages(this.t.recv());
      } catch (e) {
        if (e instanceof NetlinkDecodeError) throw new NetlinkDecodeError(`${op}: ${e.message.replace(/^decode netlink reply: /, "")}`);
        throw e;
      }
      for (const r of msgs) {
        if (r.seq !== seq) continue; // stale reply to an earlier, timed-out request
        if (r.type === NLMSG.ERROR) {
          const code = errorCode(r);
          if (code !== 0) throw new NetlinkError(op, -code);
          return out;
        }
        if (r.type === NLMSG.DONE) return out;
        if (r.type === NLMSG.OVERRUN) throw new NetlinkDecodeError(`${op}: kernel reported overrun`);
        out.push(r);
        if (!dump && !(r.flags & NLM_F.MULTI)) return out;
      }
    }
  }

  /** Close the socket. */
  close(): void {
    this.t.close();
  }
}
