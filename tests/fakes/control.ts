// Fake Tailscale control plane + DERP-like relay, for tests. One process, run in the "phone" namespace:
//   control HTTP  (nodes register and poll)          --listen HOST:PORT
//   relay UDP     (carries IP packets between nodes) --relay PORT
//   admin HTTP on a unix socket (the test's "admin console": approve routes, visit login URLs, keys)
// Wire format on the relay: [type u8][node id u32 BE][...]: 1 = hello (register endpoint), 2 = packet
// (to node id on send; from node id on delivery).
import { rmSync } from "node:fs";

interface Node {
  id: number; key: string; hostname: string; ips: [string, string]; advertised: string[]; approved: string[];
  tags: string[]; authorized: boolean; loggedIn: boolean; endpoint?: { addr: string; port: number }; routeAll: boolean;
}
interface Key { valid: boolean; preauthorized: boolean; tags: string[] }

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")) as [string, string][]);
const [host, port] = (args.listen ?? "0.0.0.0:8080").split(":");
const relayPort = Number(args.relay ?? 3478);
const adminPath = args.admin ?? "/tmp/fake-control-admin.sock";
const nodes = new Map<string, Node>();
const keys = new Map<string, Key>();
const logins = new Map<string, string>(); // url id → node key
const autoApprove: Record<string, string[]> = {}; // route → tags allowed to auto-approve
let nextId = 1;
const log = (s: string) => console.log(`fake-control: ${s}`);

function nodeView(n: Node) {
  const primary = n.approved.filter((r) => n.advertised.includes(r));
  return { id: n.id, hostname: n.hostname, ips: n.ips, primaryRoutes: primary, tags: n.tags, online: !!n.endpoint };
}

function maybeAutoApprove(n: Node): void {
  for (const r of n.advertised) {
    if ((autoApprove[r] ?? []).some((t) => n.tags.includes(t)) && !n.approved.includes(r)) { n.approved.push(r); log(`auto-approved ${r} for ${n.hostname}`); }
  }
}

function register(body: any) {
  let n = nodes.get(body.nodeKey);
  if (!n) {
    const id = nextId++;
    n = { id, key: body.nodeKey, hostname: body.hostname, ips: [`100.64.0.${id}`, `fd7a:115c:a1e0::${id}`], advertised: [], approved: [], tags: body.tags ?? [], authorized: false, loggedIn: false, routeAll: false };
    nodes.set(n.key, n);
  }
  n.hostname = body.hostname ?? n.hostname;
  if (!n.loggedIn && body.authKey) {
    const k = keys.get(body.authKey);
    if (!k || !k.valid) return { error: "invalid key: unable to validate API key" };
    n.loggedIn = true;
    n.authorized = k.preauthorized;
    n.tags = k.tags.length ? k.tags : n.tags;
    log(`${n.hostname} logged in with a key (preauthorized=${k.preauthorized})`);
  }
  if (!n.loggedIn) {
    const id = [...logins].find(([, k]) => k === n!.key)?.[0] ?? Math.random().toString(36).slice(2, 12);
    logins.set(id, n.key);
    return { state: "NeedsLogin", authURL: `http://${body.controlHost ?? "control"}/a/${id}` };
  }
  return { state: n.authorized ? "Running" : "NeedsMachineAuth" };
}

function poll(body: any) {
  const n = nodes.get(body.nodeKey);
  if (!n || !n.loggedIn) return { state: "NeedsLogin" };
  n.advertised = body.advertiseRoutes ?? [];
  n.routeAll = !!body.routeAll;
  maybeAutoApprove(n);
  if (!n.authorized) return { state: "NeedsMachineAuth" };
  const peers = [...nodes.values()].filter((p) => p !== n && p.loggedIn && p.authorized).map(nodeView);
  return { state: "Running", self: nodeView(n), peers };
}

const json = (o: unknown, status = 200) => new Response(JSON.stringify(o), { status, headers: { "content-type": "application/json" } });

Bun.serve({
  hostname: host, port: Number(port),
  async fetch(req) {
    const url = new URL(req.url);
    if (req.method === "POST" && url.pathname === "/machine/register") return json(register(await req.json()));
    if (req.method === "POST" && url.pathname === "/machine/poll") return json(poll(await req.json()));
    return json({ error: "not found" }, 404);
  },
});

rmSync(adminPath, { force: true });
Bun.serve({
  unix: adminPath,
  async fetch(req) {
    const url = new URL(req.url);
    const body: any = req.method === "POST" ? await req.json().catch(() => ({})) : {};
    const byName = (h: string) => [...nodes.values()].find((n) => n.hostname === h);
    switch (url.pathname) {
      case "/keys": keys.set(body.key, { valid: body.valid ?? true, preauthorized: body.preauthorized ?? true, tags: body.tags ?? [] }); return json({ ok: true });
      case "/approve-routes": { const n = byName(body.hostname); if (!n) return json({ error: "no such node" }, 404); n.approved = body.routes; log(`approved ${body.routes} for ${n.hostname}`); return json({ ok: true }); }
      case "/authorize": { const n = byName(body.hostname); if (!n) return json({ error: "no such node" }, 404); n.authorized = true; return json({ ok: true }); }
      case "/visit": {
        const id = String(body.url).split("/a/")[1];
        const key = logins.get(id);
        const n = key ? nodes.get(key) : undefined;
        if (!n) return json({ error: "unknown login URL" }, 404);
        n.loggedIn = true; n.authorized = body.authorize ?? true;
        log(`login URL visited for ${n.hostname}`);
        return json({ ok: true });
      }
      case "/auto-approvers": Object.assign(autoApprove, body.routes ?? {}); return json({ ok: true });
      case "/nodes": return json([...nodes.values()].map((n) => ({ ...nodeView(n), loggedIn: n.loggedIn, authorized: n.authorized, advertised: n.advertised, endpoint: n.endpoint })));
    }
    return json({ error: "not found" }, 404);
  },
});

// The relay: nodes say hello from their UDP socket; packets are forwarded by node id.
const byId = () => new Map([...nodes.values()].map((n) => [n.id, n]));
const relay = await Bun.udpSocket({
  port: relayPort, hostname: host,
  socket: {
    data(sock, buf, rport, raddr) {
      if (buf.length < 5) return;
      const type = buf[0], id = buf.readUInt32BE(1);
      const ids = byId();
      if (type === 1) {
        const n = ids.get(id);
        if (n) n.endpoint = { addr: raddr, port: rport };
        return;
      }
      if (type === 2 && buf.length > 9) {
        const dst = ids.get(id);
        const src = [...nodes.values()].find((n) => n.endpoint?.addr === raddr && n.endpoint.port === rport);
        if (!dst?.endpoint || !src) return;
        const out = Buffer.from(buf);
        out.writeUInt32BE(src.id, 1);
        sock.send(out, dst.endpoint.port, dst.endpoint.addr);
      }
    },
  },
});
log(`control on http://${host}:${port}, relay udp/${relay.port}, admin ${adminPath}`);
process.on("SIGTERM", () => { rmSync(adminPath, { force: true }); process.exit(0); });
