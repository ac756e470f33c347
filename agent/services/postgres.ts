// PostgreSQL on the SQL VM: first-boot initdb (never over existing data), managed postgresql/pg_hba
// config, sd_notify readiness, SIGINT fast shutdown, and idempotent provisioning of Forgejo's role/db.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { writeFileDurable } from "../sys/files.ts";
import { join } from "node:path";
import { totalmem } from "node:os";
import type { AgentConfig, ServiceConfig } from "../config/schema.ts";
import { SERVICE_DEFAULTS } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { runCapture } from "../proc/spawn.ts";
import type { ServiceHooks } from "../proc/supervisor.ts";
import { resolveIdentity, type Identity } from "../proc/users.ts";
import { ensureSecret } from "./secrets.ts";

/** pg_hba.conf: local peer; the LAN, the tailnet (v4 CGNAT, v6 ULA) with scram-sha-256; nothing else. */
export function renderHba(lan: string): string {
  return [
    "# managed by sovereign-agent: rewritten at every boot",
    "local   all  all                       peer",
    `host    all  all  ${lan.padEnd(22)} scram-sha-256`,
    "host    all  all  100.64.0.0/10          scram-sha-256",
    "host    all  all  fd7a:115c:a1e0::/48    scram-sha-256",
    "",
  ].join("\n");
}

/** shared_buffers: a quarter of guest RAM, clamped to 32 MiB..2 GiB, unless configured. */
export function sharedBuffersMb(configured: number, totalBytes = totalmem()): number {
  if (configured > 0) return configured;
  return Math.max(32, Math.min(2048, Math.floor(totalBytes / 4 / 1048576)));
}

/** sovereign.conf, included from postgresql.conf. */
export function renderConf(c: AgentConfig): string {
  const p = c.postgres;
  return [
    "# managed by sovereign-agent: rewritten at every boot",
    "listen_addresses = '*'",
    `port = ${p.port}`,
    `unix_socket_directories = '${p.socket_dir}'`,
    `shared_buffers = ${sharedBuffersMb(p.shared_buffers_mb)}MB`,
    "password_encryption = scram-sha-256",
    "logging_collector = off",
    "log_destination = 'stderr'",
    "log_line_prefix = '%m [%p] '",
    "",
  ].join("\n");
}

/** Why a data directory must not be initialized, or undefined when it is safe (absent or empty). */
export function refuseInit(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const entries = readdirSync(dir).filter((e) => e !== "lost+found");
  if (!entries.length) return undefined;
  return `refuse to initialize ${dir}: it is not empty and holds no PostgreSQL cluster (no PG_VERSION; found ${entries.slice(0, 5).join(", ")}${entries.length > 5 ? ", ..." : ""}). Nothing was written. Move its contents away or set postgres.data_dir`;
}

/** The supervised postgres service. */
export function postgresService(c: AgentConfig): ServiceConfig {
  const p = c.postgres;
  return {
    ...SERVICE_DEFAULTS, name: "postgres", user: p.user, groups: null,
    command: [join(p.bin_dir, "postgres"), "-D", p.data_dir],
    ready: { kind: "notify" }, ready_timeout_ms: 120_000,
    stop_signal: "SIGINT", stop_timeout_ms: p.stop_timeout_ms,
    restart_initial_ms: p.restart_initial_ms, restart_max_ms: p.restart_max_ms, fail_max_deaths: 20, fail_window_ms: 300_000, nofile: 4096,
  };
}

async function asUser(id: Identity, argv: string[], input?: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return runCapture({ argv, identity: id, cwd: "/", env: { PATH: "/usr/bin:/bin", HOME: id.home, LC_ALL: "C.UTF-8" }, stdin: input === undefined ? "ignore" : new TextEncoder().encode(input) }, 120_000);
}

/** First-boot setup and managed config; run before every start. Throws with a clear message. */
export async function preparePostgres(c: AgentConfig, log: Logger, root = "/"): Promise<void> {
  const p = c.postgres;
  const id = resolveIdentity(p.user, null, root);
  mkdirSync(p.socket_dir, { recursive: true });
  chownSync(p.socket_dir, id.uid, id.gid);
  if (!existsSync(join(p.data_dir, "PG_VERSION"))) {
    const why = refuseInit(p.data_dir);
    if (why) throw new Error(why);
    const su = ensureSecret(join(p.secrets_dir, "postgres-superuser.password"));
    log.addSecret(su);
    mkdirSync(p.data_dir, { recursive: true, mode: 0o755 }); // parents must stay searchable for postgres
    chmodSync(p.data_dir, 0o700);
    chownSync(p.data_dir, id.uid, id.gid);
    log.info("postgres", `first boot: initdb ${p.data_dir} (superuser password stored in ${p.secrets_dir}/postgres-superuser.password)`);
    const r = await asUser(id, [join(p.bin_dir, "initdb"), "-D", p.data_dir, "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=peer", "--auth-host=scram-sha-256", "-U", "postgres", "--pwfile=/dev/stdin"], su + "\n");
    if (r.status !== 0) throw new Error(`initdb ${p.data_dir}: exit ${r.status}: ${r.stderr.trim().split("\n").slice(-2).join(" ")}`);
    log.info("postgres", "initdb done");
  }
  removeStaleLock(p.data_dir, log);
  // NULs at the end are what a hard kill leaves of a non-durable append (older agents): drop them.
  const confPath = join(p.data_dir, "postgresql.conf");
  const conf = readFileSync(confPath, "utf8").replace(/\0+/g, "");
  const wantConf = conf.includes("include_if_exists = 'sovereign.conf'") ? conf : `${conf.replace(/\n*$/, "\n")}include_if_exists = 'sovereign.conf'\n`;
  for (const [name, text] of [["postgresql.conf", wantConf], ["sovereign.conf", renderConf(c)], ["pg_hba.conf", renderHba(`${c.net.lan.addr}/${c.net.lan.len}`)]] as const) {
    const path = join(p.data_dir, name);
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileDurable(path, text, { mode: 0o600, uid: id.uid, gid: id.gid });
  }
}

/** After a hard kill, postmaster.pid survives; in a fresh VM its pid often belongs to another
 *  process now, and postgres then refuses to start ("Is another postmaster running?"). We are the
 *  only supervisor and our postgres is not running, so a lock whose pid is not a postgres is stale. */
export function removeStaleLock(dataDir: string, log: Logger): void {
  const lock = join(dataDir, "postmaster.pid");
  if (!existsSync(lock)) return;
  const pid = Number(readFileSync(lock, "utf8").split("\n")[0]);
  let comm = "";
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z") comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim(); // a zombie is gone
  } catch { /* no such process */ }
  if (comm === "postgres") throw new Error(`start postgres: another postgres (pid ${pid}) is running on ${dataDir}; stop it first`);
  rmSync(lock);
  log.warn("postgres", `removed stale ${lock} (pid ${pid} is ${comm ? `now ${comm}` : "gone"}): the last shutdown was not clean; PostgreSQL will run crash recovery`);
}

/** After readiness: create Forgejo's role and database if missing; set its password (idempotent). */
export async function provisionForgejo(c: AgentConfig, log: Logger, root = "/"): Promise<void> {
  const p = c.postgres;
  const id = resolveIdentity(p.user, null, root);
  const pw = existsSync(p.forgejo_password_file) ? readFileSync(p.forgejo_password_file, "utf8").trim() : ensureSecret(join(p.secrets_dir, "forgejo-db.password"));
  if (!existsSync(p.forgejo_password_file)) log.warn("postgres", `no shared Forgejo DB password at ${p.forgejo_password_file}; generated one in ${p.secrets_dir}/forgejo-db.password (the Forgejo VM must get the same file)`);
  log.addSecret(pw);
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  // The password travels on stdin only: never in argv (visible in /proc/*/cmdline).
  const sql = `SELECT format('CREATE ROLE %I LOGIN', ${q(p.forgejo_user)}) WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${q(p.forgejo_user)})\\gexec
ALTER ROLE ${p.forgejo_user} WITH LOGIN PASSWORD ${q(pw)};
SELECT format('CREATE DATABASE %I OWNER %I', ${q(p.forgejo_db)}, ${q(p.forgejo_user)}) WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${q(p.forgejo_db)})\\gexec
`;
  const r = await asUser(id, [join(p.bin_dir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", p.socket_dir, "-p", String(p.port), "-d", "postgres", "-f", "-"], sql);
  if (r.status !== 0) throw new Error(`provision Forgejo role and database: ${r.stderr.trim()}`);
  log.info("postgres", `Forgejo role '${p.forgejo_user}' and database '${p.forgejo_db}' ready`);
}

/** Supervisor hooks: prepare before start, provision after ready, SIGQUIT before SIGKILL. */
export function postgresHooks(c: AgentConfig, log: Logger, root = "/"): ServiceHooks {
  return {
    prestart: () => preparePostgres(c, log, root),
    onReady: () => { void provisionForgejo(c, log, root).catch((e) => log.error("postgres", (e as Error).message)); },
    stopEscalation: [{ signal: "SIGQUIT", afterMs: Math.floor(c.postgres.stop_timeout_ms * 2 / 3) }],
  };
}

