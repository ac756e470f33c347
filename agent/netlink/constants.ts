// rtnetlink numbers from <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>, <linux/if_addr.h>,
// <linux/fib_rules.h>. Identical on x86-64 and arm64 (little-endian, same alignment).

/** Message types. */
export const RTM = {
  NEWLINK: 16, DELLINK: 17, GETLINK: 18, SETLINK: 19,
  NEWADDR: 20, DELADDR: 21, GETADDR: 22,
  NEWROUTE: 24, DELROUTE: 25, GETROUTE: 26,
  NEWRULE: 32, DELRULE: 33, GETRULE: 34,
} as const;

/** nlmsghdr control types. */
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;

/** nlmsghdr flags. DUMP = ROOT|MATCH. */
export const NLM_F = { REQUEST: 1, MULTI: 2, ACK: 4, ECHO: 8, DUMP_INTR: 16, ROOT: 0x100, MATCH: 0x200, DUMP: 0x300, REPLACE: 0x100, EXCL: 0x200, CREATE: 0x400, APPEND: 0x800 } as const;

/** Address families. */
export const AF = { UNSPEC: 0, INET: 2, INET6: 10 } as const;

/** Link attributes (IFLA_*). */
export const IFLA = { ADDRESS: 1, BROADCAST: 2, IFNAME: 3, MTU: 4, LINK: 5, QDISC: 6, STATS: 7, MASTER: 10, OPERSTATE: 16, LINKMODE: 17, LINKINFO: 18, TXQLEN: 13, GROUP: 27, PROMISCUITY: 30, NUM_TX_QUEUES: 31, CARRIER: 33, MIN_MTU: 50, MAX_MTU: 51 } as const;
/** Nested IFLA_LINKINFO attributes. */
export const IFLA_INFO = { KIND: 1, DATA: 2 } as const;

/** Interface flags (ifi_flags). */
export const IFF = { UP: 0x1, BROADCAST: 0x2, LOOPBACK: 0x8, POINTOPOINT: 0x10, RUNNING: 0x40, NOARP: 0x80, MULTICAST: 0x1000, LOWER_UP: 0x10000 } as const;

/** Address attributes (IFA_*). */
export const IFA = { ADDRESS: 1, LOCAL: 2, LABEL: 3, BROADCAST: 4, ANYCAST: 5, CACHEINFO: 6, FLAGS: 8 } as const;
/** Address flags: NODAD skips duplicate address detection (no delay at boot). */
export const IFA_F = { SECONDARY: 0x01, NODAD: 0x02, PERMANENT: 0x80 } as const;

/** Route attributes (RTA_*). */
export const RTA = { DST: 1, SRC: 2, IIF: 3, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, METRICS: 8, TABLE: 15, PREF: 20 } as const;
/** Route tables. COMPAT (252) goes in rtm_table when the real id (>255) is in RTA_TABLE. */
export const RT_TABLE = { UNSPEC: 0, COMPAT: 252, DEFAULT: 253, MAIN: 254, LOCAL: 255 } as const;
/** Route protocols: who installed it. BOOT = "ip" default; STATIC = admin (ours). */
export const RTPROT = { UNSPEC: 0, REDIRECT: 1, KERNEL: 2, BOOT: 3, STATIC: 4 } as const;
/** Route scopes. */
export const RT_SCOPE = { UNIVERSE: 0, SITE: 200, LINK: 253, HOST: 254, NOWHERE: 255 } as const;
/** Route types. */
export const RTN = { UNSPEC: 0, UNICAST: 1, LOCAL: 2, BROADCAST: 3, ANYCAST: 4, MULTICAST: 5, BLACKHOLE: 6, UNREACHABLE: 7, PROHIBIT: 8, THROW: 9 } as const;

/** Rule attributes (FRA_*). */
export const FRA = { DST: 1, SRC: 2, IIFNAME: 3, GOTO: 4, PRIORITY: 6, FWMARK: 10, FLOW: 11, TUN_ID: 12, SUPPRESS_IFGROUP: 13, SUPPRESS_PREFIXLEN: 14, TABLE: 15, FWMASK: 16, OIFNAME: 17, PAD: 18, L3MDEV: 19, UID_RANGE: 20, PROTOCOL: 21 } as const;
/** Rule actions (fib_rule_hdr.action). */
export const FR_ACT = { TO_TBL: 1, GOTO: 2, NOP: 3, BLACKHOLE: 6, UNREACHABLE: 7, PROHIBIT: 8 } as const;
