// Fake tailscaled: a contract double built from reference/tailscale.md (§1-5, §10). Same flags and
// exit messages, the LocalAPI subset over a unix socket (Host/Origin/Referer rules), status JSON with
// the real field names, a real tailscale0 TUN, the same ip rules and nftables chains, persisted state,
// and packets carried between nodes through the fake control plane's UDP relay.
// Knobs (JSON file named by FAKE_TS_KNOBS): socket_gate (a path: the LocalAPI socket appears only once
// that file exists, like a tailscaled still starting up), crash_after_s.
import { createReadStream, existsSync, watch, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { packetDst, Tun } from "./tun.ts";

const STATES = ["NoState", "InUseOtherUser", "NeedsLogin", "NeedsMachineAuth", "Stopped", "Starting", "Running"] as const;
type State = (typeof STATES)[number];
const KNOWN = ["socket", "state", "statedir", "tun", "port", "verbose", "no-logs-no-support", "config", "version"];

/** Resolve once `path` exists: inotify on its directory, no timer. The watcher is armed before the
 *  first check, so a file created in between is still seen. */
async function untilExists(path: string): Promise<void> {
  const w = watch(dirname(path));
  try { while (!existsSync(path)) await new Promise((r) => w.once("change", r)); } finally { w.close(); }
}

function parseFlags(argv: string[]): Record<string, string> {
  const f: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) { console.error(`tailscaled: unexpected positional argument ${argv[i]}`); process.exit(2); }
    if (!KNOWN.includes(m[1])) { console.error(`flag provided but not defined: -${m[1]}\nUsage of tailscaled:`); process.exit(2); }
    f[m[1]] = m[2] ?? (m[1] === "no-logs-no-support" || m[1] === "version" ? "true" : argv[++i]);
  }
  return f;
}

export async function main(argv: string[]): Promise<void> {
  const flags = parseFlags(argv);
  if (flags.version) { console.log("1.96.0-fake"); process.exit(0); }
  const socketPath = flags.socket ?? "/var/run/tailscale/tailscaled.sock";
  const statePath = flags.state ?? `${flags.statedir ?? "/var/lib/tailscale"}/tailscaled.state`;
  const tunName = flags.tun ?? "tailscale0";
  const wgPort = Number(process.env.PORT ?? flags.port ?? 0);
  const knobs = process.env.FAKE_TS_KNOBS && existsSync(process.env.FAKE_TS_KNOBS) ? JSON.parse(readFileSync(process.env.FAKE_TS_KNOBS, "utf8")) : {};
  const logf = (s: string) => console.log(`${new Date().toISOString().slice(0, 19).replace("T", " ")} ${s}`);
  const fwMode = process.env.TS_DEBUG_FIREWALL_MODE ?? (Bun.which("iptables") ? "iptables" : "nftables");

  if (!tunName.startsWith("userspace-networking") && !existsSync("/dev/net/tun")) {
    console.error("is CONFIG_TUN enabled in your kernel? `modprobe tun` failed with: exec: \"modprobe\": executable file not found in $PATH");
    console.error(`wgengine.NewUserspaceEngine(tun "${tunName}") error: tstun.New("${tunName}"): CreateTUN("${tunName}") failed; /dev/net/tun does not exist`);
    console.error(`flushing log.\nlogger closing down\ngetLocalBackend error: createEngine: tstun.New("${tunName}"): CreateTUN("${tunName}") failed; /dev/net/tun does not exist`);
    process.exit(1);
  }
  if (fwMode === "iptables" && !Bun.which("iptables")) {
    console.error("router.Up: setting netfilter mode: could not get iptables version: exec: \"iptables\": executable file not found in $PATH");
    process.exit(1);
  }

  // Parent death: exit as soon as a read on the fd returns (the supervisor's pipe end closed).
  if (process.env.TS_PARENT_DEATH_FD) {
    const fd = Number(process.env.TS_PARENT_DEATH_FD);
    const s = createReadStream("", { fd, autoClose: false });
    s.on("data", () => {}); s.on("end", () => { logf("parent died (TS_PARENT_DEATH_FD); exiting"); process.exit(1); });
    s.on("error", () => { logf("parent death fd error; exiting"); process.exit(1); });
  }

  // --- state --------------------------------------------------------------------------------
  const defaultPrefs = () => ({
    ControlURL: "https://controlplane.tailscale.com", RouteAll: false, CorpDNS: true, WantRunning: false, LoggedOut: false,
    AdvertiseTags: null as string[] | null, Hostname: "", AdvertiseRoutes: null as string[] | null, NoSNAT: false,
    NoStatefulFiltering: true, NetfilterMode: 2, NetfilterKind: "", OperatorUser: "",
  });
  const persisted = existsSync(statePath) ? JSON.parse(readFileSync(statePath, "utf8")) : {};
  let prefs = { ...defaultPrefs(), ...(persisted.prefs ?? {}) };
  const nodeKey: string = persisted.nodeKey ?? `nodekey:${[...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  let loggedIn: boolean = persisted.loggedIn ?? false;
  const save = () => { mkdirSync(dirname(statePath), { recursive: true }); writeFileSync(statePath, JSON.stringify({ prefs, nodeKey, loggedIn }), { mode: 0o600 }); };
  save();

  let state: State = "NoState";
  let authURL = "";
  let errMessage = "";
  let self: any = null;
  let peers: any[] = [];
  const health = new Set<string>();
  const watchers = new Set<(o: unknown) => void>();
  const notify = (o: unknown) => { for (const w of watchers) w(o); };
  const setState = (s: State) => { if (s !== state) { logf(`Switching ipn state ${state} -> ${s}`); state = s; notify({ State: STATES.indexOf(s) }); } };

  if (knobs.crash_after_s) setTimeout(() => { logf("fake: crashing (crash_after_s knob)"); process.exit(3); }, knobs.crash_after_s * 1000);
  if (knobs.socket_gate) await untilExists(knobs.socket_gate);

  // --- TUN, rules, firewall ------------------------------------------------------------------
  const sh = (cmd: string[], input?: string) => Bun.spawnSync(cmd, { stdin: input ? Buffer.from(input) : "ignore", stdout: "ignore", stderr: "pipe" });
  const tun = Tun.open(tunName);
  sh(["ip", "link", "set", tunName, "up", "mtu", "1280"]);
  const RULES = [["5210", "fwmark", "0x80000/0xff0000", "table", "main"], ["5230", "fwmark", "0x80000/0xff0000", "table", "default"], ["5250", "fwmark", "0x80000/0xff0000", "type", "unreachable"], ["5270", "table", "52"]];
  const addRules = () => { for (const [p, ...r] of RULES) { sh(["ip", "-4", "rule", "del", "pref", p]); const res = sh(["ip", "-4", "rule", "add", "pref", p, ...r]); if (res.exitCode) health.add(`router: adding rule ${p}: ${res.stderr.toString().trim()}`); } };
  const delRules = () => { for (const [p] of RULES) sh(["ip", "-4", "rule", "del", "pref", p]); };
  addRules();
  const nftUp = (selfIp: string) => {
    if (prefs.NetfilterMode === 0) return;
    const script = `table ip filter {
  chain FORWARD { type filter hook forward priority filter; policy accept; }
  chain INPUT { type filter hook input priority filter; policy accept; }
  chain ts-forward { }
  chain ts-input { }
}
flush chain ip filter ts-forward
flush chain ip filter ts-input
table ip nat {
  chain POSTROUTING { type nat hook postrouting priority srcnat; policy accept; }
  chain ts-postrouting { }
}
flush chain ip nat ts-postrouting
flush chain ip filter FORWARD
flush chain ip filter INPUT
flush chain ip nat POSTROUTING
add rule ip filter FORWARD counter jump ts-forward
add rule ip filter INPUT counter jump ts-input
add rule ip nat POSTROUTING counter jump ts-postrouting
add rule ip filter ts-input iifname "lo" ip saddr ${selfIp} accept
add rule ip filter ts-input iifname "${tunName}" accept
add rule ip filter ts-input iifname != "${tunName}" ip saddr 100.115.92.0/23 return
add rule ip filter ts-input iifname != "${tunName}" ip saddr 100.64.0.0/10 drop
add rule ip filter ts-forward iifname "${tunName}" meta mark set mark and 0xff00ffff xor 0x40000
add rule ip filter ts-forward meta mark & 0x00ff0000 == 0x00040000 accept
add rule ip filter ts-forward oifname "${tunName}" ip saddr 100.64.0.0/10 drop
add rule ip filter ts-forward oifname "${tunName}" accept
${prefs.NoSNAT ? "" : "add rule ip nat ts-postrouting meta mark & 0x00ff0000 == 0x00040000 counter masquerade"}
`;
    const r = sh(["nft", "-f", "-"], script);
    if (r.exitCode) health.add(`router: setting up nftables: ${r.stderr.toString().trim()}`);
  };
  const nftDown = () => sh(["nft", "-f", "-"], "table ip filter\ndelete table ip filter\ntable ip nat\ndelete table ip nat\n");

  // Routes in table 52: peers' addresses, plus their primary routes when RouteAll (accept-routes).
  let installed = new Set<string>();
  const syncRoutes = () => {
    const want = new Set<string>();
    for (const p of peers) {
      want.add(`${p.ips[0]}/32`);
      if (prefs.RouteAll) for (const r of p.primaryRoutes) want.add(r);
    }
    for (const r of want) if (!installed.has(r)) sh(["ip", "route", "replace", r, "dev", tunName, "table", "52"]);
    for (const r of installed) if (!want.has(r)) sh(["ip", "route", "del", r, "dev", tunName, "table", "52"]);
    installed = want;
  };
  let addrDone = "";
  const syncAddrs = () => {
    if (!self || addrDone === self.ips[0]) return;
    sh(["ip", "addr", "add", `${self.ips[0]}/32`, "dev", tunName]);
    sh(["ip", "-6", "addr", "add", `${self.ips[1]}/128`, "dev", tunName]);
    addrDone = self.ips[0];
    nftUp(self.ips[0]);
  };

  // --- relay ----------------------------------------------------------------------------------
  const controlHost = () => { try { return new URL(prefs.ControlURL).hostname; } catch { return ""; } };
  const udp = await Bun.udpSocket({
    port: wgPort || 0,
    socket: {
      data(_s, buf) {
        if (buf.length > 5 && buf[0] === 2) tun.write(new Uint8Array(buf.subarray(5)));
      },
    },
  });
  const frame = (type: number, id: number, payload?: Uint8Array) => {
    const b = Buffer.alloc(5 + (payload?.length ?? 0));
    b[0] = type; b.writeUInt32BE(id, 1); if (payload) b.set(payload, 5);
    return b;
  };
  const inPrefix = (ip: string, cidr: string) => {
    const [net, len] = cidr.split("/");
    if (!ip.includes(".") || !net.includes(".")) return false;
    const n = (s: string) => s.split(".").reduce((a, x) => (a << 8) + Number(x), 0) >>> 0;
    const mask = Number(len) === 0 ? 0 : (0xffffffff << (32 - Number(len))) >>> 0;
    return ((n(ip) & mask) >>> 0) === ((n(net) & mask) >>> 0);
  };
  tun.onPacket((p) => {
    if (state !== "Running") return;
    const dst = packetDst(p);
    const peer = peers.find((x) => x.ips.includes(dst)) ?? (prefs.RouteAll ? peers.find((x) => x.primaryRoutes.some((r: string) => inPrefix(dst, r))) : undefined);
    if (peer) udp.send(frame(2, peer.id, p), 3478, controlHost());
  });

  // --- control --------------------------------------------------------------------------------
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${prefs.ControlURL}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(2000) });
    return r.json() as Promise<any>;
  };
  let pendingKey = "";
  const login = async () => {
    try {
      const r = await post("/machine/register", { nodeKey, hostname: prefs.Hostname || "fake-host", authKey: pendingKey || undefined, tags: prefs.AdvertiseTags ?? [], controlHost: controlHost() });
      pendingKey = "";
      health.delete("not connected to control");
      if (r.error) { errMessage = r.error; notify({ ErrMessage: r.error }); setState("NeedsLogin"); return; }
      if (r.state === "NeedsLogin") { if (r.authURL !== authURL) { authURL = r.authURL; notify({ BrowseToURL: authURL }); } setState("NeedsLogin"); return; }
      loggedIn = true; authURL = ""; save();
      setState(r.state === "Running" ? "Starting" : "NeedsMachineAuth");
    } catch (e) {
      health.add("not connected to control");
      logf(`control: ${(e as Error).message}`);
    }
  };
  const pollOnce = async () => {
    if (!prefs.WantRunning) { setState(loggedIn ? "Stopped" : "NeedsLogin"); return; }
    if (!loggedIn || state === "NeedsLogin") { await login(); if (!loggedIn) return; }
    try {
      const r = await post("/machine/poll", { nodeKey, advertiseRoutes: prefs.AdvertiseRoutes ?? [], routeAll: prefs.RouteAll });
      health.delete("not connected to control");
      if (r.state === "NeedsLogin") { loggedIn = false; save(); setState("NeedsLogin"); return; }
      if (r.state === "NeedsMachineAuth") { setState("NeedsMachineAuth"); return; }
      self = r.self; peers = r.peers;
      syncAddrs(); syncRoutes();
      udp.send(frame(1, self.id), 3478, controlHost());
      setState("Running");
    } catch (e) {
      health.add("not connected to control");
    }
    const fwd = (() => { try { return readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim(); } catch { return "0"; } })();
    const msg = "Subnet routing is enabled, but IP forwarding is disabled. Check that IP forwarding is enabled on your machine.";
    if ((prefs.AdvertiseRoutes ?? []).length && fwd === "0") health.add(msg); else health.delete(msg);
  };
  let polling = false;
  setInterval(async () => { if (polling) return; polling = true; try { await pollOnce(); } finally { polling = false; } }, 300);

  // --- LocalAPI -------------------------------------------------------------------------------
  const status = () => {
    const primary = self?.primaryRoutes ?? [];
    const selfStatus: Record<string, unknown> = {
      ID: self ? `n${self.id}CNTRL` : "", PublicKey: nodeKey, HostName: prefs.Hostname || "fake-host", DNSName: `${prefs.Hostname || "fake-host"}.tail0000.ts.net.`,
      OS: "linux", UserID: 1, TailscaleIPs: self?.ips ?? [], AllowedIPs: [...(self ? [`${self.ips[0]}/32`, `${self.ips[1]}/128`] : []), ...primary],
      ...(primary.length ? { PrimaryRoutes: primary } : {}), Addrs: [], CurAddr: "", Relay: "fake", RxBytes: 0, TxBytes: 0,
      Created: "0001-01-01T00:00:00Z", LastWrite: "0001-01-01T00:00:00Z", LastSeen: "0001-01-01T00:00:00Z", LastHandshake: "0001-01-01T00:00:00Z",
      Online: state === "Running", ExitNode: false, ExitNodeOption: false, Active: false, TaildropTarget: 0, InNetworkMap: true, InMagicSock: false, InEngine: false,
    };
    if (prefs.AdvertiseTags?.length) selfStatus.Tags = prefs.AdvertiseTags;
    return {
      Version: "1.96.0-fake", TUN: true, BackendState: state, HaveNodeKey: true, AuthURL: authURL, TailscaleIPs: self?.ips ?? [], Self: selfStatus,
      Health: [...health], MagicDNSSuffix: "tail0000.ts.net", CurrentTailnet: state === "Running" ? { Name: "fake", MagicDNSSuffix: "tail0000.ts.net", MagicDNSEnabled: false } : null,
      CertDomains: null, Peer: Object.fromEntries(peers.map((p) => [`nodekey:${p.id}`, { ID: `n${p.id}CNTRL`, HostName: p.hostname, TailscaleIPs: p.ips, ...(p.primaryRoutes.length ? { PrimaryRoutes: p.primaryRoutes } : {}), Online: p.online }])),
      User: { "1": { ID: 1, LoginName: "owner@example.com", DisplayName: "owner" } }, ClientVersion: null,
    };
  };
  const json = (o: unknown, code = 200, indent = "\t") => new Response(JSON.stringify(o, null, indent), { status: code, headers: { "content-type": "application/json", "Tailscale-Version": "1.96.0-fake" } });
  mkdirSync(dirname(socketPath), { recursive: true });
  rmSync(socketPath, { force: true });
  Bun.serve({
    unix: socketPath,
    async fetch(req) {
      const host = req.headers.get("host") ?? "";
      if (req.headers.has("referer") || req.headers.has("origin") || (host !== "" && host !== "local-tailscaled.sock")) return new Response("invalid localapi request\n", { status: 403 });
      const url = new URL(req.url);
      const ep = url.pathname.replace(/^\/localapi\/v0\//, "");
      if (ep === "status" && req.method === "GET") return json(status());
      if (ep === "prefs" && req.method === "GET") return json(prefs);
      if (ep === "prefs" && req.method === "PATCH") {
        const mp = await req.json() as Record<string, unknown>;
        for (const [k, v] of Object.entries(mp)) if (!k.endsWith("Set") && mp[`${k}Set`]) (prefs as any)[k] = v;
        save(); notify({ Prefs: prefs });
        return json(prefs);
      }
      if (ep === "start" && req.method === "POST") {
        const o = await req.json() as any;
        if (o.UpdatePrefs) prefs = { ...prefs, ...o.UpdatePrefs };
        if (o.AuthKey) pendingKey = o.AuthKey;
        errMessage = "";
        save();
        if (!loggedIn) { await login(); }
        return new Response(null, { status: 204 });
      }
      if (ep === "login-interactive" && req.method === "POST") { await login(); return new Response(null, { status: 204 }); }
      if (ep === "check-ip-forwarding") {
        const v6 = (() => { try { return readFileSync("/proc/sys/net/ipv6/conf/all/forwarding", "utf8").trim(); } catch { return "0"; } })();
        const v4 = (() => { try { return readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim(); } catch { return "0"; } })();
        const w = v4 === "0" ? "IP forwarding is disabled, subnet routing/exit nodes will not work.\nSee https://tailscale.com/s/ip-forwarding"
          : v6 === "0" ? "IPv6 forwarding is disabled.\nSubnet routes and exit nodes may not work correctly.\nSee https://tailscale.com/s/ip-forwarding" : "";
        return json({ Warning: w });
      }
      if (ep === "watch-ipn-bus" && req.method === "GET") {
        let send: (o: unknown) => void;
        const stream = new ReadableStream({
          start(c) {
            send = (o) => { try { c.enqueue(new TextEncoder().encode(JSON.stringify(o) + "\n")); } catch { watchers.delete(send); } };
            watchers.add(send);
            const keep = setInterval(() => { if (watchers.has(send)) send({}); else clearInterval(keep); }, 5000);
            send({ Version: "1.96.0-fake", State: STATES.indexOf(state), Prefs: prefs, ...(authURL ? { BrowseToURL: authURL } : {}), ...(errMessage ? { ErrMessage: errMessage } : {}) });
          },
          cancel() { watchers.delete(send); },
        });
        return new Response(stream, { headers: { "content-type": "application/json" } });
      }
      return new Response(`unknown localapi endpoint ${ep}\n`, { status: 404 });
    },
  });
  logf(`tailscaled (fake) listening on ${socketPath}; tun ${tunName}; firewall mode ${fwMode}; state ${statePath}`);
  setState(loggedIn && prefs.WantRunning ? "Starting" : "NoState");

  const shutdown = () => {
    logf("tailscaled got signal terminated; shutting down");
    delRules(); nftDown();
    for (const r of installed) sh(["ip", "route", "del", r, "dev", tunName, "table", "52"]);
    tun.close();
    rmSync(socketPath, { force: true });
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}
