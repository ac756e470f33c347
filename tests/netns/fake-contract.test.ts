// The tailscaled/tailscale doubles follow reference/tailscale.md: LocalAPI rules, exit messages,
// rules and chains, persisted state. (Doubles that drift from the real thing make tests lie.)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { IS_ROOT, NEED_ROOT, scratch } from "../helpers/env.ts";
import { NetNs } from "../helpers/netns.ts";
import { waitFor } from "../helpers/poll.ts";
import { FAKES } from "../helpers/tailnet.ts";

describe.skipIf(!IS_ROOT)(`tailscale doubles follow the reference ${IS_ROOT ? "" : NEED_ROOT}`, () => {
  let ns: NetNs, tsd: Subprocess, dir: string, sock: string;
  const start = async () => {
    tsd = Bun.spawn(["ip", "netns", "exec", ns.name, "env", "TS_DEBUG_FIREWALL_MODE=nftables", FAKES, "tailscaled", `--socket=${sock}`, `--state=${dir}/s.state`, "--tun=tailscale0", "--port=41641"], { stdout: "pipe", stderr: "pipe" });
    await waitFor("socket", () => existsSync(sock));
  };
  const stop = async () => { tsd.kill("SIGTERM"); await tsd.exited; };
  const req = (path: string, headers: Record<string, string> = {}) => fetch(`http://local-tailscaled.sock/localapi/v0/${path}`, { unix: sock, headers } as RequestInit);
  beforeAll(async () => { ns = await NetNs.create("fake"); dir = scratch("fake"); sock = join(dir, "tsd.sock"); await start(); });
  afterAll(async () => { await stop(); await ns.del(); });

  test("LocalAPI rejects Origin, Referer and foreign Host with 403; answers status with a tab-indented string state", async () => {
    for (const h of [{ Origin: "http://evil" }, { Referer: "http://evil/" }, { Host: "localhost" }] as Record<string, string>[]) {
      const r = await req("status", h);
      expect(r.status).toBe(403);
      expect(await r.text()).toBe("invalid localapi request\n");
    }
    const r = await req("status");
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/\n\t"BackendState": "(NoState|NeedsLogin)"/);
    // unapproved: PrimaryRoutes is absent (omitempty), as in the real Status
    expect("PrimaryRoutes" in JSON.parse(text).Self).toBe(false);
  });

  test("installs tailscaled's rules and chains; SIGTERM removes them", async () => {
    expect((await ns.ipj("-4", "rule")).map((r: any) => r.priority)).toEqual([0, 5210, 5230, 5250, 5270, 32766, 32767]);
    expect((await ns.ipj("link", "show", "tailscale0"))[0].ifname).toBe("tailscale0");
    await stop();
    expect((await ns.ipj("-4", "rule")).map((r: any) => r.priority)).toEqual([0, 32766, 32767]);
    expect(existsSync(sock)).toBe(false);
    await start();
  });

  test("`tailscale up` without --reset after non-default settings fails with the real message; prefs persist across restarts", async () => {
    const cli = async (...a: string[]) => {
      const p = Bun.spawn(["ip", "netns", "exec", ns.name, FAKES, "tailscale", `--socket=${sock}`, ...a], { stdout: "pipe", stderr: "pipe" });
      const [o, e, c] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      return { o, e, c };
    };
    await cli("set", "--advertise-routes=192.168.100.0/24", "--hostname=h1");
    const r = await cli("up", "--hostname=h1", "--timeout=1s");
    expect(r.c).toBe(1);
    expect(r.e).toStartWith("Error: changing settings via 'tailscale up' requires mentioning all\nnon-default flags.");
    expect(r.e).toContain("--advertise-routes=192.168.100.0/24");
    await stop();
    await start();
    const prefs = await (await req("prefs")).json() as any;
    expect(prefs.AdvertiseRoutes).toEqual(["192.168.100.0/24"]);
    expect(prefs.Hostname).toBe("h1");
  });

  test("refuses to start without /dev/net/tun, with tailscaled's message", async () => {
    const p = Bun.spawn(["unshare", "--mount", "sh", "-c", `mount -t tmpfs none /dev/net && exec ${FAKES} tailscaled --socket=${dir}/x.sock --state=${dir}/x.state`], { stdout: "pipe", stderr: "pipe" });
    const [err, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
    expect(code).toBe(1);
    expect(err).toContain(`tstun.New("tailscale0"): CreateTUN("tailscale0") failed; /dev/net/tun does not exist`);
  });
});
