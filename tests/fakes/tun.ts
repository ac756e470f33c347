// A real TUN device for the fakes (bun:ffi: open /dev/net/tun + TUNSETIFF), read by polling a
// non-blocking fd, so packets really flow through the kernel.
import { dlopen, FFIType as T, read as ffiRead } from "bun:ffi";

const libc = dlopen("libc.so.6", {
  open: { args: [T.ptr, T.i32, T.u32], returns: T.i32 },
  ioctl: { args: [T.i32, T.u64, T.ptr], returns: T.i32 },
  read: { args: [T.i32, T.ptr, T.u64], returns: T.i64 },
  write: { args: [T.i32, T.ptr, T.u64], returns: T.i64 },
  close: { args: [T.i32], returns: T.i32 },
  __errno_location: { args: [], returns: T.ptr },
}).symbols;

const O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000, TUNSETIFF = 0x400454ca, IFF_TUN = 1, IFF_NO_PI = 0x1000;

/** An open TUN interface. */
export class Tun {
  private readonly buf = new Uint8Array(65536);
  private timer?: ReturnType<typeof setInterval>;
  private constructor(private fd: number, readonly name: string) {}

  /** Create (or attach to) the named TUN device; throws with errno on failure. */
  static open(name: string): Tun {
    const fd = libc.open(Buffer.from("/dev/net/tun\0"), O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
    if (fd < 0) throw new Error(`open /dev/net/tun: errno ${ffiRead.i32(libc.__errno_location()!, 0)}`);
    const ifr = new Uint8Array(40);
    ifr.set(Buffer.from(name), 0);
    new DataView(ifr.buffer).setUint16(16, IFF_TUN | IFF_NO_PI, true);
    if (libc.ioctl(fd, BigInt(TUNSETIFF), ifr) < 0) {
      const e = ffiRead.i32(libc.__errno_location()!, 0);
      libc.close(fd);
      throw new Error(`TUNSETIFF ${name}: errno ${e}`);
    }
    return new Tun(fd, name);
  }

  /** Deliver every packet read from the device to `onPacket` (polled). */
  onPacket(onPacket: (p: Uint8Array) => void, everyMs = 2): void {
    this.timer = setInterval(() => {
      for (let i = 0; i < 256; i++) {
        const n = Number(libc.read(this.fd, this.buf, BigInt(this.buf.length)));
        if (n <= 0) return;
        onPacket(this.buf.slice(0, n));
      }
    }, everyMs);
  }

  /** Inject one IP packet into the kernel. */
  write(p: Uint8Array): void {
    libc.write(this.fd, p, BigInt(p.length));
  }

  /** Close: the (non-persistent) device disappears. */
  close(): void {
    clearInterval(this.timer);
    if (this.fd >= 0) libc.close(this.fd);
    this.fd = -1;
  }
}

/** Destination address of an IPv4/IPv6 packet as text. */
export function packetDst(p: Uint8Array): string {
  if (p[0] >> 4 === 4) return `${p[16]}.${p[17]}.${p[18]}.${p[19]}`;
  if (p[0] >> 4 === 6) return [...Array(8)].map((_, i) => ((p[24 + 2 * i] << 8) | p[25 + 2 * i]).toString(16)).join(":");
  return "";
}
