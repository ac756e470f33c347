// PostgreSQL client for tests, run inside a namespace. The password comes from $PGPASSWORD (never argv).
//   pg-tool.ts query HOST PORT USER DB SQL            → {"rows":[...]} | {"error":"..."}
//   pg-tool.ts loop HOST PORT USER DB IDS_FILE STOP_FILE  (insert until STOP_FILE exists; each committed id → IDS_FILE)
import { appendFileSync, existsSync } from "node:fs";
import { SQL } from "bun";
import { tcpProbe } from "../../agent/proc/readiness.ts";
import { waitFor } from "./poll.ts";

const [mode, host, port, user, db, a, b] = process.argv.slice(2);
const connect = () => new SQL({ hostname: host, port: Number(port), username: user, database: db, password: process.env.PGPASSWORD, max: 1, connectionTimeout: 2, idleTimeout: 1 });

if (mode === "query") {
  const sql = connect();
  try { console.log(JSON.stringify({ rows: await sql.unsafe(a) })); } catch (e) { console.log(JSON.stringify({ error: (e as Error).message })); }
  await sql.close().catch(() => undefined);
  process.exit(0);
}
if (mode === "loop") {
  let sql = connect(), id = 0, failures = 0;
  await sql`CREATE TABLE IF NOT EXISTS crashloop (id int PRIMARY KEY)`.catch(() => undefined);
  while (!existsSync(b)) {
    try {
      // bounded: against a VM that was killed, TCP would otherwise retransmit for minutes
      await Promise.race([sql`INSERT INTO crashloop VALUES (${id + 1})`, Bun.sleep(3000).then(() => { throw new Error("insert timed out"); })]);
      id++;
      appendFileSync(a, `${id}\n`); // only after the server acknowledged the commit
    } catch {
      failures++;
      await sql.close().catch(() => undefined);
      // reconnect once the server accepts again (it is restarting), or stop when told to
      await waitFor("postgres accepting again", async () => existsSync(b) || await tcpProbe(host, Number(port), 1000), 120_000, 50).catch(() => undefined);
      sql = connect();
      // the insert may have committed before the crash without our seeing the ack: resync the counter
      try {
        const r = await Promise.race([sql`SELECT coalesce(max(id), 0) AS m FROM crashloop`, Bun.sleep(3000).then(() => { throw new Error("timeout"); })]);
        id = Number((r as any)[0].m);
      } catch { /* still down */ }
    }
  }
  console.log(JSON.stringify({ committed: id, failures }));
  await sql.close().catch(() => undefined);
  process.exit(0);
}
