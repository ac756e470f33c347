// What the agent needs from the guest kernel, with the consequence of each missing option.
// Used by `sovereign-agent kernel-check` and by the runtime preflight to name CONFIG_ options.
// Version-dependent options carry `since`/`until` (until = first version without it), so the check
// never demands an option that does not exist for the config's kernel version.

/** One kernel option the guest needs. */
export interface Requirement {
  option: string;         // without the CONFIG_ prefix
  consequence: string;    // what breaks without it, in operator terms
  since?: string;         // first kernel version that has the option
  until?: string;         // first kernel version that no longer has it
  absentWhy?: string;     // why it is not needed where it does not exist
  arch?: "x86_64" | "arm64";
}

const NAT_GONE = "folded into NFT_NAT and the nf_tables core in 5.1; nothing to enable";

/** Every option `kernel-check` looks at. */
export const REQUIREMENTS: readonly Requirement[] = [
  // boot and devices
  { option: "VIRTIO_PCI", consequence: "no virtio devices under QEMU/crosvm PCI: no disk, no NIC, no hvc0" },
  { option: "VIRTIO_BLK", consequence: "no /dev/vda: the root filesystem and the data disk cannot be mounted" },
  { option: "VIRTIO_NET", consequence: "no eth0: the guest is unreachable on 192.168.100.0/24" },
  { option: "VIRTIO_CONSOLE", consequence: "no /dev/hvc0: the serial debug console that crosvm provides is missing" },
  { option: "EXT4_FS", consequence: "the ext4 rootfs and data disk cannot be mounted: boot stops before init" },
  { option: "DEVTMPFS", consequence: "no /dev nodes (hvc0, vda, net/tun) without mknod by hand" },
  { option: "DEVTMPFS_MOUNT", consequence: "/dev is empty when the init stub runs: the stub cannot open the console" },
  { option: "TMPFS", consequence: "no tmpfs for /run, /tmp, /dev/shm: sockets and PostgreSQL shared memory fail" },
  { option: "PROC_FS", consequence: "no /proc: Bun aborts at start-up (it reads /proc/self/maps)" },
  { option: "UNIX", consequence: "no unix sockets: control socket, tailscaled LocalAPI and PostgreSQL's socket fail" },
  { option: "FUTEX", consequence: "Bun and Go programs cannot start (futex)" },
  { option: "EPOLL", consequence: "Bun's event loop cannot run (epoll)" },
  { option: "POSIX_TIMERS", consequence: "tailscaled (Go runtime) and Bun fail: timer_create missing" },
  { option: "ADVISE_SYSCALLS", consequence: "Bun's allocator fails: madvise missing" },
  { option: "SHMEM", consequence: "no tmpfs or memfd: /run and PostgreSQL shared memory fail" },
  { option: "SYSVIPC", consequence: "PostgreSQL cannot start: SysV shared memory and semaphores missing" },
  { option: "MULTIUSER", consequence: "services cannot run as postgres or git: setuid is missing" },
  { option: "CGROUPS", consequence: "no cgroup2 at /sys/fs/cgroup: per-service resource accounting is off" },
  { option: "IKCONFIG_PROC", consequence: "no /proc/config.gz: kernel-check cannot run inside the guest" },
  // networking
  { option: "INET", consequence: "no IPv4: nothing works" },
  { option: "IPV6", consequence: "tailscaled disables tunneled IPv6 and `tailscale up` warns about IPv6 forwarding" },
  { option: "TUN", consequence: "tailscaled exits: /dev/net/tun does not exist (CreateTUN(\"tailscale0\") failed)" },
  { option: "IP_ADVANCED_ROUTER", consequence: "no policy routing menu: IP_MULTIPLE_TABLES cannot be enabled" },
  { option: "IP_MULTIPLE_TABLES", consequence: "no fwmark rules or table 52: tailscaled runs without policy routing and its own traffic loops into the tunnel" },
  { option: "IPV6_MULTIPLE_TABLES", consequence: "no IPv6 policy routing: tailscaled disables tunneled IPv6" },
  { option: "FIB_RULES", consequence: "no ip rules: the LAN guard and tailscaled's 5210-5270 rules cannot be installed" },
  { option: "IP_ROUTE_FWMARK", until: "2.6.19", absentWhy: "removed in 2.6.19; fwmark routing comes with IP_MULTIPLE_TABLES", consequence: "no fwmark routing" },
  // netfilter / nftables (tailscaled's nftables mode and our own table)
  { option: "NETFILTER", consequence: "no firewall at all: no masquerade, no input policy" },
  { option: "NF_CONNTRACK", consequence: "no connection tracking: masquerade and the stateful input policy fail" },
  { option: "NF_CONNTRACK_MARK", consequence: "no ct mark: tailscaled's connmark rules fail (health error under `router`)" },
  { option: "NF_NAT", consequence: "no NAT: forwarded tailnet traffic to 192.168.100.3 cannot be masqueraded" },
  { option: "NF_TABLES", consequence: "tailscaled's nftables mode fails (health error under `router`): no ts-forward, no masquerade" },
  { option: "NF_TABLES_INET", consequence: "our `inet sovereign` firewall table cannot be created" },
  { option: "NF_TABLES_IPV4", consequence: "no `ip filter`/`ip nat` tables: tailscaled's rules and masquerade fail" },
  { option: "NF_TABLES_IPV6", consequence: "no `ip6` tables: tailscaled's IPv6 rules fail (health error)" },
  { option: "NFT_CT", consequence: "no `ct state`: the input policy cannot allow established traffic" },
  { option: "NFT_NAT", consequence: "no nat chains: forwarded tailnet traffic to 192.168.100.3 is not masqueraded and is dropped by Forgejo's missing return route" },
  { option: "NFT_MASQ", consequence: "no masquerade: forwarded tailnet traffic to 192.168.100.3 is dropped" },
  { option: "NFT_CHAIN_NAT", until: "5.1", consequence: "no nat chain type", absentWhy: NAT_GONE },
  { option: "NFT_CHAIN_ROUTE_IPV4", until: "5.1", consequence: "no route chains (tailscaled's mangle OUTPUT chain)", absentWhy: NAT_GONE },
  { option: "NFT_CHAIN_ROUTE_IPV6", until: "5.1", consequence: "no IPv6 route chains", absentWhy: NAT_GONE },
  // arch
  { option: "ACPI", arch: "x86_64", consequence: "QEMU x86 cannot power off: poweroff hangs instead of ending the VM" },
  { option: "SERIAL_AMBA_PL011_CONSOLE", arch: "arm64", consequence: "no console on QEMU virt (ttyAMA0)" },
  { option: "ARM64_VA_BITS_48", arch: "arm64", consequence: "39-bit address space: Bun/JSC's large reservations are untested there" },
];
