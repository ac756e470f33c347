import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../agent/config/load.ts";
import { autoApproversSnippet, tailscaledService, upArgs } from "../../agent/services/tailscale/args.ts";
import { nextAction, type TsView } from "../../agent/services/tailscale/controller.ts";

const cfg = (extra = "") => loadConfig({ fileText: `role = "sql"\n${extra}` }).config!;

describe("tailscale argument builders", () => {
  test("tailscaled: native TUN, state on the data disk, nftables mode, parent-death fd; no key anywhere", () => {
    const s = tailscaledService(cfg());
    expect(s.command).toEqual(["/usr/sbin/tailscaled", "--state=/var/lib/sovereign/tailscale/tailscaled.state", "--socket=/run/tailscale/tailscaled.sock", "--port=41641", "--tun=tailscale0"]);
    expect(s.env).toEqual({ TS_DEBUG_FIREWALL_MODE: "nftables", TS_PARENT_DEATH_FD: "3", TS_NO_LOGS_NO_SUPPORT: "true" });
    expect(s.stop_signal).toBe("SIGTERM");
  });

  test("up: full flag set with --reset (idempotent), key only as file:, timeout always", () => {
    expect(upArgs(cfg(), true)).toEqual([
      "/usr/bin/tailscale", "--socket=/run/tailscale/tailscaled.sock", "up", "--reset", "--hostname=sovereign-sql",
      "--advertise-routes=192.168.100.0/24", "--accept-dns=false", "--accept-routes=false", "--timeout=60s",
      "--auth-key=file:/var/lib/sovereign/secrets/ts-authkey",
    ]);
    const withTags = upArgs(cfg(`[tailscale]\nadvertise_tags = ["tag:sovereign"]\naccept_routes = true\nlogin_server = "https://hs.example"\n`), false);
    expect(withTags).toContain("--advertise-tags=tag:sovereign");
    expect(withTags).toContain("--accept-routes=true");
    expect(withTags).toContain("--login-server=https://hs.example");
    expect(withTags.some((a) => a.startsWith("--auth-key"))).toBe(false);
  });

  test("the autoApprovers snippet matches the reference policy shape", () => {
    expect(JSON.parse(autoApproversSnippet(["192.168.100.0/24"]))).toEqual({ tagOwners: { "tag:sovereign": ["autogroup:admin"] }, autoApprovers: { routes: { "192.168.100.0/24": ["tag:sovereign"] } } });
  });
});

describe("next action", () => {
  const base: TsView = { backend_state: "Running", ips: ["100.64.0.1"], hostname: "sovereign-sql", advertised_routes: ["192.168.100.0/24"], approved_routes: [], pending_routes: ["192.168.100.0/24"], health: [], tailscaled: "ready", next_action: "" };
  const lan = { addr: "192.168.100.0", len: 24 };
  const cases: [Partial<TsView>, string][] = [
    [{ tailscaled: "failed" }, "tailscaled keeps dying: see `deaths tailscaled` and `logs tailscaled`, fix it, then `start tailscaled`"],
    [{ tailscaled: "backoff" }, "wait: tailscaled is backoff (see `logs tailscaled`)"],
    [{ backend_state: "NeedsLogin", auth_url: "https://login/a/1" }, "open https://login/a/1 in a browser to log in (or put a pre-authorized key in /k and `restart tailscaled`)"],
    [{ backend_state: "NeedsLogin", last_error: "backend error: invalid key" }, "the auth key was rejected (backend error: invalid key): put a valid key in /k, then `restart tailscaled`"],
    [{ backend_state: "NeedsMachineAuth" }, "an admin must approve this machine in the admin console (Machines), or use a pre-authorized key"],
    [{}, "approve 192.168.100.0/24 in the admin console (Machines → sovereign-sql → Edit route settings), or add autoApprovers for tag:sovereign"],
    [{ pending_routes: [], approved_routes: ["192.168.100.0/24"] }, "none: tailnet devices reach 192.168.100.0/24 through this node"],
    [{ backend_state: "Stopped" }, "tailscale is stopped: `restart tailscaled`"],
  ];
  for (const [over, want] of cases) test(want.slice(0, 50), () => expect(nextAction({ ...base, ...over }, "/k", lan)).toBe(want));
});
