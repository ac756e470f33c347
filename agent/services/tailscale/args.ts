// Pure builders for tailscaled's and `tailscale up`'s argument vectors and environment.
// The auth key only ever travels as `--auth-key=file:PATH` (never in argv or env).
import type { AgentConfig, ServiceConfig } from "../../config/schema.ts";
import { SERVICE_DEFAULTS } from "../../config/schema.ts";

/** The fd number tailscaled reads for parent death (TS_PARENT_DEATH_FD). */
export const PARENT_DEATH_FD = 3;

/** tailscaled as a supervised service: native TUN, state on the data disk, nftables firewall mode. */
export function tailscaledService(c: AgentConfig): ServiceConfig {
  const t = c.tailscale;
  return {
    ...SERVICE_DEFAULTS,
    name: "tailscaled",
    command: [t.tailscaled, `--state=${t.state}`, `--socket=${t.socket}`, `--port=${t.port}`, "--tun=tailscale0"],
    // We ship no iptables; without this, builds before v1.74 fail to start (reference/tailscale.md §8).
    env: { TS_DEBUG_FIREWALL_MODE: "nftables", TS_PARENT_DEATH_FD: String(PARENT_DEATH_FD), TS_NO_LOGS_NO_SUPPORT: "true" },
    ready: { kind: "none" }, // the controller's LocalAPI probe decides readiness
    ready_timeout_ms: 30_000,
    stop_signal: "SIGTERM",
    stop_timeout_ms: 25_000, // containerboot's budget: tailscaled removes its rules and routes on TERM
    restart_initial_ms: 1000,
    restart_max_ms: 30_000,
    fail_max_deaths: 10,
    fail_window_ms: 300_000,
  };
}

/** `tailscale up` with the full flag set and --reset, so re-runs on later boots never hit
 *  "changing settings via 'tailscale up' requires mentioning all non-default flags". */
export function upArgs(c: AgentConfig, haveKey: boolean): string[] {
  const t = c.tailscale;
  const a = [t.tailscale, `--socket=${t.socket}`, "up", "--reset", `--hostname=${t.hostname}`,
    `--advertise-routes=${t.advertise_routes.join(",")}`, "--accept-dns=false", `--accept-routes=${t.accept_routes}`,
    `--timeout=${t.up_timeout_s}s`];
  if (t.advertise_tags.length) a.push(`--advertise-tags=${t.advertise_tags.join(",")}`);
  if (t.login_server) a.push(`--login-server=${t.login_server}`);
  if (haveKey) a.push(`--auth-key=file:${t.auth_key_file}`);
  return a;
}

/** The policy snippet that makes route approval automatic (reference/tailscale.md §7). */
export function autoApproversSnippet(routes: string[], tag = "tag:sovereign"): string {
  const r = Object.fromEntries(routes.map((x) => [x, [tag]]));
  return JSON.stringify({ tagOwners: { [tag]: ["autogroup:admin"] }, autoApprovers: { routes: r } });
}
