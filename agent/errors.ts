// Error types. Messages follow "<verb> <object>: <cause>"; classes exist only where callers branch.

/** errno number → symbolic name (Linux generic values, identical on x86-64 and arm64). */
export const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG", 9: "EBADF",
  10: "ECHILD", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES", 16: "EBUSY", 17: "EEXIST", 19: "ENODEV",
  20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 24: "EMFILE", 25: "ENOTTY", 28: "ENOSPC", 30: "EROFS",
  34: "ERANGE", 61: "ENODATA", 71: "EPROTO", 90: "EMSGSIZE", 93: "EPROTONOSUPPORT", 95: "EOPNOTSUPP",
  97: "EAFNOSUPPORT", 98: "EADDRINUSE", 99: "EADDRNOTAVAIL", 101: "ENETUNREACH", 105: "ENOBUFS",
  110: "ETIMEDOUT", 111: "ECONNREFUSED", 113: "EHOSTUNREACH", 115: "EINPROGRESS",
};

/** Short human text for the errnos we expect to meet. */
const ERRNO_TEXT: Record<string, string> = {
  EPERM: "operation not permitted", ENOENT: "no such file, device or object", ESRCH: "no such process",
  EEXIST: "already exists", ENODEV: "no such device", EINVAL: "invalid argument", EACCES: "permission denied",
  EBUSY: "busy", EOPNOTSUPP: "operation not supported", EAFNOSUPPORT: "address family not supported",
  EPROTONOSUPPORT: "protocol not supported", ENOBUFS: "no buffer space", EAGAIN: "try again",
  ENETUNREACH: "network unreachable", EADDRNOTAVAIL: "address not available", ECHILD: "no child processes",
};

/** Name for an errno, e.g. 17 → "EEXIST". */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E#${errno}`;
}

/** "EEXIST (already exists)" style text for an errno. */
export function errnoText(errno: number): string {
  const name = errnoName(errno);
  const text = ERRNO_TEXT[name];
  return text ? `${name} (${text})` : name;
}

/** A failed system call, carrying errno and its name so callers can branch on `code`. */
export class SysError extends Error {
  readonly code: string;
  constructor(readonly op: string, readonly errno: number) {
    super(`${op}: ${errnoText(errno)}`);
    this.code = errnoName(errno);
    this.name = "SysError";
  }
}

/** A config problem list; each entry is one line naming the key, the value and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`load config: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** Message of any thrown value, without a stack. */
export function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
