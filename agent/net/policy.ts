// Policy-routing facts shared by the planner, the firewall and diagnostics. Values from
// reference/tailscale.md §1; ours are chosen not to collide with them.

/** tailscaled owns bits 16-23 of skb->mark. */
export const TS_FWMARK_MASK = 0xff0000;
/** Set on packets entering from tailscale0 in ts-forward; matched for ACCEPT and MASQUERADE. */
export const TS_SUBNET_ROUTE_MARK = 0x40000;
/** SO_MARK on tailscaled's own sockets so they bypass table 52. */
export const TS_BYPASS_MARK = 0x80000;
/** tailscaled's route table. */
export const TS_TABLE = 52;
/** tailscaled's rule priorities: 5210 bypass→main, 5230 bypass→default, 5250 bypass→unreachable, 5270 → table 52. */
export const TS_RULE_PRIORITIES = [5210, 5230, 5250, 5270] as const;
/** Any rule in 5200-5299 other than ours belongs to tailscaled (it restores the whole range when one goes). */
export const TS_RULE_RANGE = [5201, 5299] as const;
/** The tunnel interface tailscaled creates. */
export const TS_IFACE = "tailscale0";
/** Our LAN guard: `to <LAN> lookup main` below 5270 so the node's own LAN never goes through the
 *  tunnel when accept-routes is on (tailscale issues #1227, #16158). */
export const GUARD_PRIORITY = 5200;
export const MAIN_TABLE = 254;
