// PostgreSQL and Forgejo under the agent, with real PostgreSQL 15: first boot, no re-init, refusing
// foreign data, crash survival, ordering, pg_hba, clean stop, and no leaked secrets.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IS_ROOT, NEED_ROOT, ROOT, scratch } from "../helpers/env.ts";
import { NsGuest } from "../helpers/guest.ts";
import type { NetNs } from "../helpers/netns.ts";
import { waitFor } from "../helpers/poll.ts";
import { BUN, fakeBins } from "../helpers/tailnet.ts";
import { Phone } from "../helpers/topology.ts";

const DBPW = "fjdb-Secret-0123456789abcdef";

function sqlToml(dir: string, over = ""): string {
  return `role = "sql"
[log]
kmsg = false
[firewall]
enabled = false
[tailscale]
enabled = false
[postgres]
data_dir = "${dir}/pgdata"
secrets_dir = "${dir}/secrets"
forgejo_password_file = "${dir}/config/forgejo-db.password"
restart_initial_ms = 100
restart_max_ms = 800
${over}`;
}

describe.skipIf(!IS_ROOT)(`services with real PostgreSQL ${IS_ROOT ? "" : NEED_ROOT}`, () => {
  let phone: Phone, sqlNs: NetNs, fjNs: NetNs, dir: string, sql: NsGuest | undefined, fj: NsGuest | undefined;
  const pg = async (ns: NetNs, query: string, pw = DBPW) =>
    JSON.parse((await ns.exec(["env", `PGPASSWORD=${pw}`, BUN, join(ROOT, "tests/helpers/pg-tool.ts"), "query", "192.168.100.2", "5432", "forgejo", "forgejo", query])).trim());
  const bootSql = async (over = "") => NsGuest.boot({ name: "pg", netns: sqlNs.name, toml: sqlToml(dir, over) });
  const pgReady = (g: NsGuest) => waitFor("postgres ready", async () => (await g.service("postgres"))?.state === "ready", 60_000);

  beforeAll(async () => {
    phone = await Phone.create();
    await phone.ns.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    sqlNs = await phone.attach("pg", "52:54:00:00:02:02");
    fjNs = await phone.attach("fj", "52:54:00:00:02:03");
    dir = scratch("svc");
    chmodSync(dir, 0o755); // Forgejo runs as nobody and must reach its work dir
    mkdirSync(join(dir, "config"), { recursive: true });
    writeFileSync(join(dir, "config/forgejo-db.password"), DBPW + "\n", { mode: 0o600 });
  }, 30_000);
  afterAll(async () => { await fj?.stop(); await sql?.stop(); await phone?.del(); });

  test("ordering: Forgejo waits for PostgreSQL, starts after it is ready, and writes through it", async () => {
    fj = await NsGuest.boot({
      name: "fj", netns: fjNs.name,
      toml: `role = "forgejo"\n[log]\nkmsg = false\n[firewall]\nenabled = false\n[forgejo]\nbin = "${fakeBins(dir).forgejo}"\nwork_dir = "${dir}/fj/work"\nuser = "nobody"\ndb_password_file = "${dir}/config/forgejo-db.password"\n`,
    });
    await waitFor("forgejo waiting for the database", () => fj!.console().includes("forgejo: waiting for PostgreSQL at 192.168.100.2:5432 (attempt 2)"), 20_000);
    expect((await fj.service("forgejo")).pid).toBeNull();
    sql = await bootSql();
    await pgReady(sql);
    expect(sql.console()).toContain("postgres: first boot: initdb");
    expect(existsSync(join(dir, "pgdata/PG_VERSION"))).toBe(true);
    await waitFor("forgejo ready", async () => (await fj!.service("forgejo")).state === "ready", 60_000);
    const out = fj.console();
    expect(out.indexOf("accepts the Forgejo credentials")).toBeLessThan(out.indexOf("forgejo: started pid"));
    expect((await pg(phone.ns, "SELECT count(*)::int AS n FROM fake_forgejo_boot")).rows[0].n).toBeGreaterThanOrEqual(1);
    await waitFor("admin created", () => fj!.console().includes("admin user 'owner' created; its initial password is in"));
    const pwFile = join(dir, "fj/secrets/forgejo-admin.password");
    expect(statSync(pwFile).mode & 0o777).toBe(0o600);
    expect(fj.console()).not.toContain(readFileSync(pwFile, "utf8").trim());
  }, 120_000);

  test("pg_hba: a 100.64.x.x client with the password gets in; one outside the allowed ranges is rejected", async () => {
    await phone.ns.ip("addr", "add", "100.64.7.1/24", "dev", "br0");
    await phone.ns.ip("addr", "add", "10.77.0.1/24", "dev", "br0");
    const tailnetClient = await phone.attach("cli1", "52:54:00:00:02:21");
    const outsider = await phone.attach("cli2", "52:54:00:00:02:22");
    for (const [ns, ip, gw] of [[tailnetClient, "100.64.7.7/24", "100.64.7.1"], [outsider, "10.77.0.7/24", "10.77.0.1"]] as const) {
      await ns.ip("addr", "add", ip, "dev", "eth0");
      await ns.ip("link", "set", "eth0", "up");
      await ns.ip("route", "add", "default", "via", gw);
    }
    const ok = await waitFor("tailnet client query", async () => { const r = await pg(tailnetClient, "SELECT inet_client_addr()::text AS a"); return r.rows ? r : null; }, 15_000);
    expect(ok.rows[0].a).toBe("100.64.7.7/32");
    const bad = await pg(outsider, "SELECT 1");
    expect(bad.error).toContain(`no pg_hba.conf entry for host "10.77.0.7"`);
    expect((await pg(tailnetClient, "SELECT 1", "wrong-password")).error).toContain("password authentication failed");
  }, 60_000);

  test("crash survival: kill -9 the postmaster 10 times during inserts; every committed row survives", async () => {
    const ids = join(dir, "ids"), stop = join(dir, "stop");
    const loop = Bun.spawn(["ip", "netns", "exec", phone.ns.name, "env", `PGPASSWORD=${DBPW}`, BUN, join(ROOT, "tests/helpers/pg-tool.ts"), "loop", "192.168.100.2", "5432", "forgejo", "forgejo", ids, stop], { stdout: "pipe" });
    const committed = () => (existsSync(ids) ? readFileSync(ids, "utf8").trim().split("\n").length : 0);
    for (let i = 1; i <= 10; i++) {
      const before = committed();
      await waitFor(`inserts flowing (${i})`, () => committed() > before + 5, 30_000);
      const pid = (await sql!.service("postgres")).pid;
      const host = hostPidOf(`postgres -D ${dir}/pgdata`);
      process.kill(host, "SIGKILL");
      await waitFor(`postgres back (${i})`, async () => { const s = await sql!.service("postgres"); return s.state === "ready" && s.pid !== pid; }, 30_000);
    }
    writeFileSync(stop, "");
    setTimeout(() => loop.kill("SIGKILL"), 20_000);
    const summary = JSON.parse((await new Response(loop.stdout).text()).trim());
    expect(summary.committed).toBeGreaterThan(50);
    const want = readFileSync(ids, "utf8").trim().split("\n").map(Number);
    const rows = (await pg(phone.ns, "SELECT id FROM crashloop ORDER BY id")).rows.map((r: any) => r.id);
    const have = new Set(rows);
    expect(want.filter((id) => !have.has(id))).toEqual([]);
    const deaths = (await sql!.ctl(["deaths", "postgres"])).stdout;
    expect((deaths.match(/killed by SIGKILL/g) ?? []).length).toBe(10);
    const delays = [...sql!.console().matchAll(/postgres: killed by SIGKILL after \d+ ms; restarting in (\d+) ms/g)].map((m) => Number(m[1]));
    expect(delays.slice(0, 4)).toEqual([100, 200, 400, 800]);
    // Forgejo's health recovers by itself after all those restarts
    await waitFor("forgejo healthz 200", async () => (await phone.ns.exec(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://192.168.100.3:3000/api/healthz"], [0, 7])).trim() === "200", 30_000);
    // like Forgejo, the stand-in answers HTTP/1.0 clients that send no Host header
    expect(await phone.ns.exec(["curl", "-s", "--http1.0", "-H", "Host:", "-o", "/dev/null", "-w", "%{http_code}", "http://192.168.100.3:3000/api/healthz"])).toBe("200");
  }, 240_000);

  test("second boot: no re-initialization, rows kept; poweroff ends with 'database system is shut down'", async () => {
    const rowsBefore = (await pg(phone.ns, "SELECT count(*)::int AS n FROM crashloop")).rows[0].n;
    await sql!.ctl(["poweroff"]);
    await sql!.proc.exited;
    expect(sql!.console()).toMatch(/postgres: stopped \(exited with status 0\); last output: .*database system is shut down/);
    sql = await bootSql();
    await pgReady(sql);
    expect(sql.console()).not.toContain("first boot: initdb");
    expect((await pg(phone.ns, "SELECT count(*)::int AS n FROM crashloop")).rows[0].n).toBe(rowsBefore);
  }, 120_000);

  test("a foreign non-empty data directory is refused with a message, and its files are unchanged", async () => {
    const foreign = scratch("foreign");
    mkdirSync(join(foreign, "data/photos"), { recursive: true });
    writeFileSync(join(foreign, "data/notes.txt"), "precious\n");
    writeFileSync(join(foreign, "data/photos/cat.jpg"), Buffer.from(crypto.getRandomValues(new Uint8Array(4096))));
    const sum = () => createHash("sha256").update(JSON.stringify(readdirSync(join(foreign, "data"), { recursive: true }).sort().map((f) => {
      const p = join(foreign, "data", String(f));
      return statSync(p).isFile() ? [f, readFileSync(p).toString("base64"), statSync(p).mode] : [f, statSync(p).mode];
    }))).digest("hex");
    const before = sum();
    const ns = await phone.attach("fo", "52:54:00:00:02:31");
    const g = await NsGuest.boot({ name: "foreign", netns: ns.name, toml: sqlToml(foreign).replace(`data_dir = "${foreign}/pgdata"`, `data_dir = "${foreign}/data"`) });
    try {
      await waitFor("refusal", () => g.console().includes(`refuse to initialize ${foreign}/data: it is not empty and holds no PostgreSQL cluster`), 20_000);
      const s = (await g.ctl(["deaths", "postgres"])).stdout;
      expect(s).toContain("refuse to initialize");
      expect(sum()).toBe(before);
      expect(existsSync(join(foreign, "data/PG_VERSION"))).toBe(false);
    } finally {
      await g.stop();
    }
  }, 60_000);

  test("no password or secret appears in console output, ctl output or /proc/*/cmdline", async () => {
    const secrets = [DBPW, readFileSync(join(dir, "secrets/postgres-superuser.password"), "utf8").trim()];
    const texts = [sql!.console(), fj!.console()];
    for (const g of [sql!, fj!]) for (const c of [["status", "--json"], ["config"], ["logs", "agent", "2000"], ["logs", g === sql ? "postgres" : "forgejo", "500"]]) {
      const r = await g.ctl(c);
      texts.push(r.stdout, r.stderr);
    }
    for (const t of texts) for (const s of secrets) expect(t).not.toContain(s);
    for (const pid of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
      let cmd = "";
      try { cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8"); } catch { continue; }
      for (const s of secrets) expect(cmd).not.toContain(s);
    }
  }, 30_000);
});

/** The host pid of the process whose command line starts with `prefix`. */
function hostPidOf(prefix: string): number {
  for (const e of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try { if (readFileSync(`/proc/${e}/cmdline`, "utf8").replace(/\0/g, " ").includes(prefix)) return Number(e); } catch { /* gone */ }
  }
  throw new Error(`find process ${prefix}: none`);
}
