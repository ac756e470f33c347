// One TCP connect with a deadline; prints {"ok":true,"data":"..."} or {"ok":false,"error":"..."}.
//   tcp-probe.ts HOST PORT [TIMEOUT_MS]
import { connect } from "node:net";
const [host, port, ms] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 1500)];
const s = connect({ host, port });
let data = "", connected = false;
const done = (o: object) => { console.log(JSON.stringify(o)); process.exit(0); };
// A server that keeps the connection open (PostgreSQL waits for the client) still counts as reached.
const t = setTimeout(() => done(connected ? { ok: true, data: data.trim() } : { ok: false, error: "timeout" }), ms);
s.on("connect", () => { connected = true; });
s.on("data", (d) => { data += d.toString(); });
s.on("end", () => { clearTimeout(t); done({ ok: true, data: data.trim() }); });
s.on("error", (e) => { clearTimeout(t); done({ ok: false, error: (e as NodeJS.ErrnoException).code ?? e.message }); });
