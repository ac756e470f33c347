// Pure rtnetlink codec: builds and parses nlmsghdr + family header + rtattrs. No I/O.
// Layouts (all little-endian, 4-byte aligned):
//   nlmsghdr     16: len u32, type u16, flags u16, seq u32, pid u32
//   ifinfomsg    16: family u8, pad u8, type u16, index i32, flags u32, change u32
//   ifaddrmsg     8: family u8, prefixlen u8, flags u8, scope u8, index u32
//   rtmsg        12: family, dst_len, src_len, tos, table, protocol, scope, type (u8 each), flags u32
//   fib_rule_hdr 12: family, dst_len, src_len, tos, table, res1, res2, action (u8 each), flags u32
//   rtattr        4: len u16, type u16, payload, padded to 4
import { parseIp4 } from "../net/addr.ts";
import { NLMSG } from "./constants.ts";

/** Round up to netlink's 4-byte alignment. */
export const align4 = (n: number): number => (n + 3) & ~3;

/** Builds one netlink message. Nested attributes get their length patched when closed. */
export class MsgWriter {
  private buf = new Uint8Array(256);
  private dv = new DataView(this.buf.buffer);
  private off = 16;
  private readonly nests: number[] = [];
  constructor(readonly type: number, readonly flags: number) {}

  private room(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.off + n));
    b.set(this.buf);
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  u8(v: number): this { this.room(1); this.dv.setUint8(this.off, v); this.off += 1; return this; }
  u16(v: number): this { this.room(2); this.dv.setUint16(this.off, v, true); this.off += 2; return this; }
  u32(v: number): this { this.room(4); this.dv.setUint32(this.off, v >>> 0, true); this.off += 4; return this; }
  i32(v: number): this { this.room(4); this.dv.setInt32(this.off, v, true); this.off += 4; return this; }
  /** One attribute with a raw payload, padded to 4. */
  attr(type: number, payload: Uint8Array): this {
    const len = 4 + payload.length;
    this.room(align4(len));
    this.dv.setUint16(this.off, len, true);
    this.dv.setUint16(this.off + 2, type, true);
    this.buf.set(payload, this.off + 4);
    this.buf.fill(0, this.off + len, this.off + align4(len));
    this.off += align4(len);
    return this;
  }
  attrU32(type: number, v: number): this { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); return this.attr(type, b); }
  attrStr(type: number, s: string): this { return this.attr(type, new TextEncoder().encode(s + "\0")); }
  attrIp4(type: number, ip: string): this {
    const b = parseIp4(ip);
    if (!b) throw new Error(`encode attribute ${type}: ${JSON.stringify(ip)} is not an IPv4 address`);
    return this.attr(type, b);
  }
  /** Open a nested attribute; close it with end(). */
  nest(type: number): this { this.room(4); this.nests.push(this.off); this.dv.setUint16(this.off + 2, type, true); this.off += 4; return this; }
  end(): this { const s = this.nests.pop(); if (s === undefined) throw new Error("encode: end() without nest()"); this.dv.setUint16(s, this.off - s, true); return this; }
  /** Finish with header fields; returns the exact bytes to send. */
  finish(seq: number, pid = 0): Uint8Array {
    if (this.nests.length) throw new Error("encode: unclosed nested attribute");
    this.dv.setUint32(0, this.off, true);
    this.dv.setUint16(4, this.type, true);
    this.dv.setUint16(6, this.flags, true);
    this.dv.setUint32(8, seq, true);
    this.dv.setUint32(12, pid, true);
    return this.buf.slice(0, this.off);
  }
}

/** A decoded netlink message: header fields plus the body after nlmsghdr. */
export interface NlMsg { type: number; flags: number; seq: number; pid: number; body: Uint8Array }

/** A typed error for replies the codec cannot make sense of. */
export class NetlinkDecodeError extends Error {
  constructor(what: string) { super(`decode netlink reply: ${what}`); this.name = "NetlinkDecodeError"; }
}

/** Split a datagram into messages. Throws NetlinkDecodeError on truncated or malformed lengths. */
export function parseMessages(buf: Uint8Array): NlMsg[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: NlMsg[] = [];
  let o = 0;
  while (o + 16 <= buf.length) {
    const len = dv.getUint32(o, true);
    if (len < 16 || o + len > buf.length) throw new NetlinkDecodeError(`message at offset ${o} claims length ${len}, ${buf.length - o} bytes left`);
    out.push({ type: dv.getUint16(o + 4, true), flags: dv.getUint16(o + 6, true), seq: dv.getUint32(o + 8, true), pid: dv.getUint32(o + 12, true), body: buf.subarray(o + 16, o + len) });
    o += align4(len);
  }
  if (o < buf.length && buf.length - o >= 4) throw new NetlinkDecodeError(`${buf.length - o} trailing bytes`);
  return out;
}

/** Attributes by type; unknown types are kept. The 0x8000/0x4000 nest/byte-order bits are masked off. */
export function parseAttrs(b: Uint8Array, start = 0): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = start;
  while (o + 4 <= b.length) {
    const len = dv.getUint16(o, true), type = dv.getUint16(o + 2, true) & 0x3fff;
    if (len < 4 || o + len > b.length) throw new NetlinkDecodeError(`attribute ${type} at offset ${o} claims length ${len}`);
    m.set(type, b.subarray(o + 4, o + len));
    o += align4(len);
  }
  return m;
}

/** Error code carried by an NLMSG_ERROR body (0 = ACK, else negative errno). */
export function errorCode(m: NlMsg): number {
  if (m.type !== NLMSG.ERROR) return 0;
  if (m.body.length < 4) throw new NetlinkDecodeError(`NLMSG_ERROR body is ${m.body.length} bytes`);
  return new DataView(m.body.buffer, m.body.byteOffset, 4).getInt32(0, true);
}

export const u32At = (b: Uint8Array, o = 0): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o, true);
export const i32At = (b: Uint8Array, o = 0): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(o, true);
export const u16At = (b: Uint8Array, o = 0): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(o, true);
export const cstrOf = (b: Uint8Array): string => new TextDecoder().decode(b).replace(/\0.*$/s, "");
export const ip4Of = (b: Uint8Array): string => `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
export const macOf = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
