// The real PreflightPort: TUN via ioctl, a rule via rtnetlink, nftables via `nft -f -`, sysctls from /proc.
import { FR_ACT } from "../netlink/constants.ts";
import { Rtnl } from "../netlink/rtnl.ts";
import { nftRun } from "../firewall/nft.ts";
import { check, cstr, libc } from "../sys/libc.ts";
import { readSysctl } from "../sys/sysctl.ts";
import type { PreflightPort } from "./preflight.ts";

const O_RDWR = 2, O_CLOEXEC = 0x80000;
/** _IOW('T', 202, int): the same number on x86-64 and arm64. */
const TUNSETIFF = 0x400454ca;
const IFF_TUN = 0x0001, IFF_NO_PI = 0x1000;

/** A scratch nftables transaction: created and deleted in one go. */
export const NFT_PROBE = `table ip sovereign_preflight {
  chain post { type nat hook postrouting priority srcnat; policy accept; ct state established,related accept; masquerade; }
}
delete table ip sovereign_preflight
`;

/** Probes against the real kernel, in the agent's namespaces. */
export function realPreflightPort(nft = "/usr/sbin/nft"): PreflightPort {
  return {
    tun() {
      const fd = check(libc().open(cstr("/dev/net/tun"), O_RDWR | O_CLOEXEC, 0), "open /dev/net/tun");
      try {
        const ifr = new Uint8Array(40);
        ifr.set(Buffer.from("svprobe%d"), 0);
        new DataView(ifr.buffer).setUint16(16, IFF_TUN | IFF_NO_PI, true);
        check(libc().ioctl(fd, BigInt(TUNSETIFF), ifr), "create TUN device (TUNSETIFF)");
      } finally {
        libc().close(fd); // not persistent: closing deletes the device
      }
    },
    fwmarkRule() {
      const rtnl = new Rtnl();
      try {
        const rule = { priority: 32000, fwmark: 0x10000, fwmask: 0xff0000, table: 10052, action: FR_ACT.TO_TBL };
        rtnl.addRule(rule);
        rtnl.delRule(rule);
      } finally {
        rtnl.close();
      }
    },
    async nftNat() {
      await nftRun(nft, NFT_PROBE, "create nat chain with masquerade");
    },
    sysctl: (key) => readSysctl(key),
  };
}
