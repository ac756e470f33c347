// Supervision semantics in a namespace guest: backoff, failed state, dependencies, stop deadlines.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IS_ROOT, NEED_ROOT, scratch } from "../helpers/env.ts";
import { guestToml, NsGuest } from "../helpers/guest.ts";
import { waitFor } from "../helpers/poll.ts";

describe.skipIf(!IS_ROOT)(`supervision ${IS_ROOT ? "" : NEED_ROOT}`, () => {
  const guests: NsGuest[] = [];
  afterAll(async () => { for (const g of guests) await g.stop(); });

  test("crash loop: growing delays, death tally, failed after N deaths", async () => {
    const g = await NsGuest.boot({ name: "crash", toml: guestToml(`[[service]]
name = "crash"
command = ["/bin/sh", "-c", "echo dying now; exit 3"]
restart_initial_ms = 100
restart_max_ms = 5000
fail_max_deaths = 4
fail_window_ms = 60000
`) });
    guests.push(g);
    const s = await waitFor("crash failed", async () => { const x = await g.service("crash"); return x.state === "failed" ? x : null; }, 20_000);
    expect(s.restarts).toBe(3);
    expect(s.last_exit).toEqual({ status: 3, code: 3, signal: null });
    const d = await g.ctl(["deaths", "crash"]);
    expect(d.code).toBe(0);
    const times = [...d.stdout.matchAll(/^#\d+ (\S+) ran \S+ exit 3 \(status 3\)/gm)].map((m) => Date.parse(m[1]));
    expect(times.length).toBe(4);
    expect(d.stdout).toContain("out: dying now");
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]);
    expect(g.console()).toContain("restarting in 100 ms");
    expect(g.console()).toContain("restarting in 200 ms");
    expect(g.console()).toContain("restarting in 400 ms");
    expect(g.console()).toContain("crash: failed: exited with status 3; 4 deaths in 60s. Not restarting.");
    // `start` clears the failed state and tries again.
    expect((await g.ctl(["start", "crash"])).code).toBe(0);
    await waitFor("crash ran again", async () => (await g.service("crash")).restarts > 3);
  }, 40_000);

  test("a dependent does not start before its dependency is ready", async () => {
    const dir = scratch("deps");
    const flag = join(dir, "db-ready"), webStarted = join(dir, "web-started");
    const g = await NsGuest.boot({ name: "deps", toml: guestToml(`[[service]]
name = "db"
command = ["/bin/sleep", "1000"]
ready = "exec:/usr/bin/test -e ${flag}"
[[service]]
name = "web"
command = ["/bin/sh", "-c", "touch ${webStarted}; exec sleep 1000"]
depends_on = ["db"]
`) });
    guests.push(g);
    await waitFor("db probed at least once", async () => (await g.service("db")).state === "starting" && (await g.service("db")).pid);
    // db is running but not ready: web must be waiting, not started.
    for (let i = 0; i < 5; i++) {
      const web = await g.service("web");
      expect(web.state).toBe("starting");
      expect(web.pid).toBeNull();
      expect(web.note).toBe("waiting for db");
      expect(existsSync(webStarted)).toBe(false);
    }
    writeFileSync(flag, "");
    await waitFor("web ready", async () => (await g.service("web")).state === "ready");
    await waitFor("web's command ran", () => existsSync(webStarted)); // ready (no probe) = spawned, not yet run
    const out = g.console();
    expect(out.indexOf("db: ready after")).toBeLessThan(out.indexOf("web: started pid"));
  }, 30_000);

  test("a child that exits on TERM stops at once; one that ignores TERM is killed with its whole group", async () => {
    const g = await NsGuest.boot({ name: "stop", toml: guestToml(`[[service]]
name = "polite"
command = ["/bin/sleep", "1001"]
stop_timeout_ms = 60000
[[service]]
name = "stubborn"
command = ["/bin/sh", "-c", "trap '' TERM; /bin/sleep 1002 & /bin/sleep 1003 & wait"]
stop_timeout_ms = 300
`) });
    guests.push(g);
    await waitFor("both ready", async () => (await g.status()).services.every((s: any) => s.state === "ready"));
    await waitFor("grandchildren running", async () => (await pgrep("sleep 1003")).length > 0);
    // The polite stop returns long before its 60 s deadline (the test itself would time out otherwise).
    const polite = await g.ctl(["stop", "polite"]);
    expect(polite.code).toBe(0);
    expect(g.console()).toContain("polite: stopped (killed by SIGTERM)");
    expect(g.console()).not.toContain("polite: did not stop");
    const stubborn = await g.ctl(["stop", "stubborn"]);
    expect(stubborn.code).toBe(0);
    expect(g.console()).toContain("stubborn: did not stop within 300 ms; sending SIGKILL to process group");
    expect(await pgrep("sleep 1002")).toEqual([]);
    expect(await pgrep("sleep 1003")).toEqual([]);
    expect((await g.service("stubborn")).state).toBe("stopped");
  }, 30_000);
});

async function pgrep(pattern: string): Promise<string[]> {
  const p = Bun.spawn(["pgrep", "-f", `^/bin/${pattern}$`], { stdout: "pipe" });
  const out = await new Response(p.stdout).text();
  await p.exited;
  return out.split("\n").filter(Boolean);
}
