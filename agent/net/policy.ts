// Policy-routing facts shared by the planner, the firewall and diagnostics. Values from
// reference/tailscale.md §1; ours are chosen not to collide with them.

// tailscaled owns bits 16-23 of skb->mark (mask 0xff0000); 0x40000 marks forwarded tailnet packets.
/** SO_MARK on tailscaled's own sockets so they bypass table 52. */
export const TS_BYPASS_MARK = 0x80000;
/** tailscaled's route table. */
export const TS_TABLE = 52;
// tailscaled's rules: 5210 bypass→main, 5230 bypass→default, 5250 bypass→unreachable, 5270 → table 52.
// Any rule in 5201-5299 belongs to tailscaled (it restores the whole range when one goes).
/** The tunnel interface tailscaled creates. */
export const TS_IFACE = "tailscale0";
/** Our LAN guard: `to <LAN> lookup main` below 5270 so the node's own LAN never goes through the
 *  tunnel when accept-routes is on (tailscale issues #1227, #16158). */
export const GUARD_PRIORITY = 5200;
export const MAIN_TABLE = 254;
