// IPv4 address and prefix parsing. Pure; shared by config validation, the planner and netlink encoding.

/** A parsed IPv4 prefix: address (as written) and prefix length. */
export interface Cidr4 { addr: string; len: number }

/** Parse dotted-quad IPv4 into 4 bytes, or undefined when malformed. */
export function parseIp4(s: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? new Uint8Array(b) : undefined;
}

/** Parse "a.b.c.d/len", or undefined when malformed. */
export function parseCidr4(s: string): Cidr4 | undefined {
  const i = s.indexOf("/");
  if (i < 0) return undefined;
  const addr = s.slice(0, i), lenText = s.slice(i + 1);
  if (!parseIp4(addr) || !/^\d{1,2}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  return len <= 32 ? { addr, len } : undefined;
}

/** 4 bytes → dotted quad. */
export function formatIp4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** The network address of a prefix, e.g. 192.168.100.2/24 → 192.168.100.0/24. */
export function networkOf(c: Cidr4): string {
  const b = parseIp4(c.addr)!;
  const n = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const mask = c.len === 0 ? 0 : (0xffffffff << (32 - c.len)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${c.len}`;
}

/** True when `ip` lies inside prefix `c`. */
export function contains(c: Cidr4, ip: string): boolean {
  return networkOf(c) === networkOf({ addr: ip, len: c.len });
}
