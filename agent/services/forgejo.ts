// Forgejo on the Forgejo VM: app.ini from config (secrets generated once, 0600), wait until the
// database accepts Forgejo's credentials, `forgejo web` as git, readiness on /api/healthz, and the
// admin user created on first boot with a generated password stored 0600 (never printed).
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { SQL } from "bun";
import type { AgentConfig, ServiceConfig } from "../config/schema.ts";
import { SERVICE_DEFAULTS } from "../config/schema.ts";
import { errMsg } from "../errors.ts";
import type { Logger } from "../log.ts";
import { runCapture } from "../proc/spawn.ts";
import type { ServiceHooks } from "../proc/supervisor.ts";
import { resolveIdentity } from "../proc/users.ts";
import { ensureSecret, readSecret } from "./secrets.ts";
import { writeFileDurable } from "../sys/files.ts";

/** Paths derived from the work dir (on the data disk). */
export function forgejoPaths(c: AgentConfig): { appIni: string; secrets: string; adminDone: string; adminPassword: string } {
  const w = c.forgejo.work_dir;
  const secrets = join(dirname(w), "secrets");
  return { appIni: join(w, "custom", "conf", "app.ini"), secrets, adminDone: join(w, ".sovereign-admin-created"), adminPassword: join(secrets, "forgejo-admin.password") };
}

/** Render app.ini. Pure: secrets are passed in. */
export function renderAppIni(c: AgentConfig, s: { dbPassword: string; secretKey: string; internalToken: string }): string {
  const f = c.forgejo, w = f.work_dir;
  return `; managed by sovereign-agent: rewritten at every boot
APP_NAME = Forgejo (sovereign)
RUN_USER = ${f.user}
RUN_MODE = prod
WORK_PATH = ${w}

[server]
HTTP_ADDR = 0.0.0.0
HTTP_PORT = ${f.http_port}
ROOT_URL = ${f.root_url}
DISABLE_SSH = true
APP_DATA_PATH = ${w}/data
LFS_START_SERVER = false

[database]
DB_TYPE = postgres
HOST = ${f.db_host}
NAME = ${f.db_name}
USER = ${f.db_user}
PASSWD = ${s.dbPassword}
SSL_MODE = disable

[repository]
ROOT = ${w}/repositories

[security]
INSTALL_LOCK = true
SECRET_KEY = ${s.secretKey}
INTERNAL_TOKEN = ${s.internalToken}

[service]
DISABLE_REGISTRATION = true

[log]
MODE = console
LEVEL = info
`;
}

/** The supervised `forgejo web`. */
export function forgejoService(c: AgentConfig): ServiceConfig {
  return {
    ...SERVICE_DEFAULTS, name: "forgejo", user: c.forgejo.user, groups: null, cwd: c.forgejo.work_dir,
    command: [c.forgejo.bin, "web", "--config", forgejoPaths(c).appIni],
    env: { GITEA_WORK_DIR: c.forgejo.work_dir, FORGEJO_WORK_DIR: c.forgejo.work_dir },
    ready: { kind: "none" }, ready_timeout_ms: 120_000, stop_signal: "SIGTERM", stop_timeout_ms: 20_000,
    restart_initial_ms: 1000, restart_max_ms: 30_000, fail_max_deaths: 20, fail_window_ms: 300_000,
  };
}

/** Try the Forgejo credentials against PostgreSQL once. */
export async function dbAccepts(c: AgentConfig, password: string): Promise<string | undefined> {
  const [hostname, port] = c.forgejo.db_host.split(":");
  const sql = new SQL({ hostname, port: Number(port ?? 5432), database: c.forgejo.db_name, username: c.forgejo.db_user, password, max: 1, connectionTimeout: 3, idleTimeout: 1 });
  try {
    await sql`select 1`;
    return undefined;
  } catch (e) {
    return errMsg(e).replace(password, "<redacted>");
  } finally {
    await sql.close().catch(() => undefined);
  }
}

/** GET /api/healthz == 200. */
export async function healthz(port: number): Promise<boolean> {
  try { return (await fetch(`http://127.0.0.1:${port}/api/healthz`, { signal: AbortSignal.timeout(2000) })).status === 200; } catch { return false; }
}

/** Supervisor hooks: app.ini + wait for the database before every start; admin user on first readiness. */
export function forgejoHooks(c: AgentConfig, log: Logger, root = "/"): ServiceHooks {
  const p = forgejoPaths(c);
  return {
    prestart: async (signal) => {
      const id = resolveIdentity(c.forgejo.user, null, root);
      for (const d of [c.forgejo.work_dir, dirname(dirname(p.appIni)), dirname(p.appIni), join(c.forgejo.work_dir, "data"), join(c.forgejo.work_dir, "repositories")]) {
        mkdirSync(d, { recursive: true, mode: 0o755 }); // parents stay searchable; ours are git's own
        chmodSync(d, 0o750);
        chownSync(d, id.uid, id.gid);
      }
      const dbPassword = readSecret(c.forgejo.db_password_file, "the Forgejo database password");
      log.addSecret(dbPassword);
      const secretKey = ensureSecret(join(p.secrets, "forgejo-secret-key"));
      const internalToken = ensureSecret(join(p.secrets, "forgejo-internal-token"));
      log.addSecret(secretKey);
      log.addSecret(internalToken);
      const ini = renderAppIni(c, { dbPassword, secretKey, internalToken });
      if (!existsSync(p.appIni) || readFileSync(p.appIni, "utf8") !== ini) writeFileDurable(p.appIni, ini, { mode: 0o600, uid: id.uid, gid: id.gid });
      for (let attempt = 1, delay = 500; ; attempt++, delay = Math.min(delay * 2, 15_000)) {
        const why = await dbAccepts(c, dbPassword);
        if (!why) { if (attempt > 1) log.info("forgejo", `PostgreSQL at ${c.forgejo.db_host} accepts the Forgejo credentials`); return; }
        log.info("forgejo", `waiting for PostgreSQL at ${c.forgejo.db_host} (attempt ${attempt}): ${why}; retrying in ${Math.round(delay / 1000)}s`);
        await Bun.sleep(delay);
        if (signal.aborted) throw new Error("start forgejo: stopped while waiting for PostgreSQL");
      }
    },
    probe: () => healthz(c.forgejo.http_port),
    onReady: () => { void createAdmin(c, log, root).catch((e) => log.error("forgejo", errMsg(e))); },
  };
}

/** First boot only: `forgejo admin user create --random-password`; the password goes to a 0600 file. */
export async function createAdmin(c: AgentConfig, log: Logger, root = "/"): Promise<void> {
  const p = forgejoPaths(c);
  if (existsSync(p.adminDone)) return;
  const id = resolveIdentity(c.forgejo.user, null, root);
  const r = await runCapture({
    argv: [c.forgejo.bin, "admin", "user", "create", "--config", p.appIni, "--username", c.forgejo.admin_user, "--email", c.forgejo.admin_email, "--admin", "--random-password", "--must-change-password"],
    identity: id, cwd: c.forgejo.work_dir, env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: id.home, GITEA_WORK_DIR: c.forgejo.work_dir, FORGEJO_WORK_DIR: c.forgejo.work_dir },
  }, 60_000);
  const pw = /generated random password is '([^']+)'/.exec(r.stdout + r.stderr)?.[1];
  if (pw) log.addSecret(pw);
  if (r.status !== 0 || !pw) throw new Error(`create Forgejo admin user ${c.forgejo.admin_user}: exit ${r.status}: ${log.scrub(r.stderr.trim() || r.stdout.trim()).slice(0, 300)}`);
  mkdirSync(p.secrets, { recursive: true, mode: 0o700 });
  writeFileDurable(p.adminPassword, pw + "\n", { mode: 0o600 });
  writeFileDurable(p.adminDone, new Date().toISOString() + "\n");
  log.info("forgejo", `admin user '${c.forgejo.admin_user}' created; its initial password is in ${p.adminPassword} (root only; change it at first login)`);
}
