// Forgejo stand-in: the real binary cannot be installed here. It reads the same app.ini, talks to the
// real PostgreSQL with those credentials (writes a row at start), serves /api/healthz with the
// database status, and accepts the `web` and `admin user create` argument forms.
import { readFileSync } from "node:fs";
import { SQL } from "bun";

/** Parse an INI file into section → key → value ("" is the top section). */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = { "": {} };
  let sec = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith(";") || line.startsWith("#")) continue;
    const m = /^\[(.+)\]$/.exec(line);
    if (m) { sec = m[1]; out[sec] ??= {}; continue; }
    const eq = line.indexOf("=");
    if (eq > 0) out[sec][line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

function flagValue(args: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    for (const n of names) {
      if (args[i] === n) return args[i + 1];
      if (args[i].startsWith(`${n}=`)) return args[i].slice(n.length + 1);
    }
  }
  return undefined;
}

function db(ini: Record<string, Record<string, string>>): SQL {
  const d = ini.database ?? {};
  if (d.DB_TYPE !== "postgres") throw new Error(`fake forgejo supports DB_TYPE = postgres, got ${d.DB_TYPE}`);
  const [hostname, port] = (d.HOST ?? "127.0.0.1:5432").split(":");
  return new SQL({ hostname, port: Number(port ?? 5432), database: d.NAME, username: d.USER, password: d.PASSWD, max: 2, connectionTimeout: 3, idleTimeout: 5 });
}

export async function main(args: string[]): Promise<void> {
  const config = flagValue(args, "--config", "-c") ?? "custom/conf/app.ini";
  const ini = parseIni(readFileSync(config, "utf8"));
  if (args[0] === "web") {
    const sql = db(ini);
    await sql`CREATE TABLE IF NOT EXISTS fake_forgejo_boot (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`;
    await sql`INSERT INTO fake_forgejo_boot DEFAULT VALUES`;
    const port = Number(ini.server?.HTTP_PORT ?? 3000);
    Bun.serve({
      hostname: ini.server?.HTTP_ADDR ?? "0.0.0.0", port,
      async fetch(req) {
        const url = new URL(req.url, "http://localhost"); // HTTP/1.0 clients may send no Host
        if (url.pathname === "/api/healthz") {
          let ok = true, out = "";
          try { await sql`select 1`; } catch (e) { ok = false; out = (e as Error).message; }
          return Response.json({ status: ok ? "pass" : "fail", description: "Forgejo: Beyond coding. We forge.", checks: { "database:ping": [{ status: ok ? "pass" : "fail", ...(out ? { output: out } : {}) }] } }, { status: ok ? 200 : 503 });
        }
        if (url.pathname === "/api/v1/version") return Response.json({ version: "9.0.0-fake" });
        return new Response(`fake forgejo at ${ini.server?.ROOT_URL}\n`);
      },
    });
    console.log(`2026/01/01 00:00:00 cmd/web.go:242:runWeb() [I] Starting Forgejo (fake) on PID: ${process.pid}`);
    console.log(`2026/01/01 00:00:00 cmd/web.go:304:listen() [I] Listen: http://0.0.0.0:${port}`);
    process.on("SIGTERM", async () => { console.log("[I] PID: shutting down"); await sql.close(); process.exit(0); });
    return;
  }
  if (args[0] === "admin" && args[1] === "user" && args[2] === "create") {
    const user = flagValue(args, "--username"), email = flagValue(args, "--email");
    if (!user || !email) { console.error("Incorrect Usage: Required flags \"username, email\" not set"); process.exit(1); }
    let password = flagValue(args, "--password");
    const random = args.includes("--random-password");
    if (!password && !random) { console.error("password is required (or --random-password)"); process.exit(1); }
    if (random) password = Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("base64url");
    const sql = db(ini);
    await sql`CREATE TABLE IF NOT EXISTS fake_forgejo_users (name text PRIMARY KEY, email text, is_admin bool, must_change bool)`;
    const exists = await sql`SELECT 1 FROM fake_forgejo_users WHERE name = ${user}`;
    if (exists.length) { console.error(`Command error: user already exists [name: ${user}]`); await sql.close(); process.exit(1); }
    await sql`INSERT INTO fake_forgejo_users VALUES (${user}, ${email}, ${args.includes("--admin")}, ${args.includes("--must-change-password")})`;
    await sql.close();
    if (random) console.log(`generated random password is '${password}'`);
    console.log(`New user '${user}' has been successfully created!`);
    process.exit(0);
  }
  console.error(`fake forgejo: unsupported arguments: ${args.join(" ")}`);
  process.exit(1);
}
