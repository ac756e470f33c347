// bun:ffi bindings to glibc. The only file that calls dlopen; everything above uses these typed wrappers.
// Plain synchronous calls only: JSCallback is avoided entirely (reference/bun.md §8).
import { dlopen, FFIType as T, read } from "bun:ffi";
import { SysError } from "../errors.ts";

const SYMBOLS = {
  mount: { args: [T.ptr, T.ptr, T.ptr, T.u64, T.ptr], returns: T.i32 },
  umount2: { args: [T.ptr, T.i32], returns: T.i32 },
  reboot: { args: [T.i32], returns: T.i32 },
  sync: { args: [], returns: T.void },
  sethostname: { args: [T.ptr, T.u64], returns: T.i32 },
  mknod: { args: [T.ptr, T.u32, T.u64], returns: T.i32 },
  waitid: { args: [T.i32, T.i32, T.ptr, T.i32], returns: T.i32 },
  waitpid: { args: [T.i32, T.ptr, T.i32], returns: T.i32 },
  getpid: { args: [], returns: T.i32 },
  kill: { args: [T.i32, T.i32], returns: T.i32 },
  prctl: { args: [T.i32, T.u64, T.u64, T.u64, T.u64], returns: T.i32 },
  ioctl: { args: [T.i32, T.u64, T.ptr], returns: T.i32 },
  socket: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
  bind: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  sendto: { args: [T.i32, T.ptr, T.u64, T.i32, T.ptr, T.u32], returns: T.i64 },
  recvfrom: { args: [T.i32, T.ptr, T.u64, T.i32, T.ptr, T.ptr], returns: T.i64 },
  setsockopt: { args: [T.i32, T.i32, T.i32, T.ptr, T.u32], returns: T.i32 },
  connect: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  open: { args: [T.ptr, T.i32, T.u32], returns: T.i32 },
  close: { args: [T.i32], returns: T.i32 },
  pipe2: { args: [T.ptr, T.i32], returns: T.i32 },
  fcntl: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
  getrlimit: { args: [T.i32, T.ptr], returns: T.i32 },
  setrlimit: { args: [T.i32, T.ptr], returns: T.i32 },
  tcgetattr: { args: [T.i32, T.ptr], returns: T.i32 },
  tcsetattr: { args: [T.i32, T.i32, T.ptr], returns: T.i32 },
  cfmakeraw: { args: [T.ptr], returns: T.void },
  __errno_location: { args: [], returns: T.ptr },
} as const;

type Lib = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];
let lib: Lib | undefined;

/** The libc symbol table, opened on first use. */
export function libc(): Lib {
  lib ??= dlopen("libc.so.6", SYMBOLS).symbols;
  return lib;
}

/** errno of the last failed call on this thread; read it straight after the call. */
export function errno(): number {
  return read.i32(libc().__errno_location()!, 0);
}

/** A NUL-terminated C string buffer (JS strings are not NUL-terminated). */
export function cstr(s: string): Buffer {
  return Buffer.from(s + "\0");
}

/** Throw a SysError named after `op` when a libc call returned a negative value. */
export function check(rc: number | bigint, op: string): number {
  const n = Number(rc);
  if (n < 0) throw new SysError(op, errno());
  return n;
}
