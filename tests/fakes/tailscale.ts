// Fake `tailscale` CLI: up / status / set / down / debug prefs / version, talking to the (fake)
// tailscaled's LocalAPI exactly as the real CLI does (reference/tailscale.md §3-5, §10).
import { readFileSync } from "node:fs";

type Flags = Record<string, string>;

/** Flags of `up`, their prefs key and default (for the "mention all non-default flags" check). */
const UP_FLAGS: [flag: string, pref: string, def: unknown, parse: (v: string) => unknown][] = [
  ["login-server", "ControlURL", "https://controlplane.tailscale.com", (v) => v],
  ["accept-routes", "RouteAll", false, (v) => v !== "false"],
  ["accept-dns", "CorpDNS", true, (v) => v !== "false"],
  ["hostname", "Hostname", "", (v) => v],
  ["advertise-routes", "AdvertiseRoutes", null, (v) => (v ? v.split(",") : null)],
  ["advertise-tags", "AdvertiseTags", null, (v) => (v ? v.split(",").map((t) => (t.startsWith("tag:") ? t : `tag:${t}`)) : null)],
  ["snat-subnet-routes", "NoSNAT", false, (v) => v === "false"],
  ["netfilter-mode", "NetfilterMode", 2, (v) => ({ off: 0, nodivert: 1, on: 2 })[v] ?? 2],
];
const BOOL = new Set(["accept-routes", "accept-dns", "snat-subnet-routes", "reset", "json", "force-reauth"]);

function parse(argv: string[]): { flags: Flags; rest: string[] } {
  const flags: Flags = {}, rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) { rest.push(argv[i]); continue; }
    const name = m[1] === "authkey" ? "auth-key" : m[1];
    flags[name] = m[2] ?? (BOOL.has(name) ? "true" : argv[++i]);
  }
  return { flags, rest };
}

async function api(sock: string, path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`http://local-tailscaled.sock/localapi/v0/${path}`, { ...init, unix: sock } as RequestInit);
  } catch {
    console.error(`failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)`);
    process.exit(1);
  }
}

const sameVal = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

async function up(sock: string, flags: Flags): Promise<number> {
  const cur = await (await api(sock, "prefs")).json() as Record<string, unknown>;
  const next: Record<string, unknown> = { ...cur };
  for (const [flag, key, def, conv] of UP_FLAGS) {
    if (flag in flags) next[key] = conv(flags[flag]);
    else if (flags.reset) next[key] = def;
  }
  if (!flags.reset) {
    const missing = UP_FLAGS.filter(([flag, key, def]) => !(flag in flags) && !sameVal(cur[key], def));
    if (missing.length) {
      const mention = UP_FLAGS.filter(([flag, key, def]) => flag in flags || !sameVal(cur[key], def)).map(([flag, key]) => `--${flag}=${Array.isArray(next[key]) ? (next[key] as string[]).join(",") : String(flag === "snat-subnet-routes" ? !next[key] : flag === "netfilter-mode" ? ["off", "nodivert", "on"][next[key] as number] : next[key])}`);
      console.error(`Error: changing settings via 'tailscale up' requires mentioning all\nnon-default flags. To proceed, either re-run your command with --reset or\nuse the command below to explicitly mention the current value of\nall non-default settings:\n\n\ttailscale up ${mention.join(" ")}\n`);
      return 1;
    }
  }
  if (next.AdvertiseRoutes) {
    const w = await (await api(sock, "check-ip-forwarding")).json() as { Warning: string };
    if (w.Warning) console.log(`Warning: ${w.Warning}`);
  }
  let authKey = flags["auth-key"] ?? "";
  if (authKey.startsWith("file:")) {
    try { authKey = readFileSync(authKey.slice(5), "utf8").trim(); } catch (e) { console.error(`reading auth key from ${authKey.slice(5)}: ${(e as Error).message}`); return 1; }
  }
  next.WantRunning = true;
  const timeoutMs = flags.timeout ? parseDuration(flags.timeout) : 0;
  const watch = await api(sock, "watch-ipn-bus?mask=6");
  const r = await api(sock, "start", { method: "POST", body: JSON.stringify({ AuthKey: authKey, UpdatePrefs: next }) });
  if (r.status !== 204) { console.error(`backend error: ${await r.text()}`); return 1; }
  const deadline = timeoutMs ? Date.now() + timeoutMs : Infinity;
  let printed = false;
  const reader = watch.body!.getReader();
  let buf = "";
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const chunk = await Promise.race([reader.read(), Bun.sleep(Math.min(left, 1e9)).then(() => null)]);
    if (!chunk) break;
    if (chunk.done) { console.error("backend closed the connection"); return 1; }
    buf += new TextDecoder().decode(chunk.value);
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const n = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
      if (n.ErrMessage) { console.error(`backend error: ${n.ErrMessage}`); return 1; }
      if (n.BrowseToURL && !authKey && !printed) { printed = true; console.error(`\nTo authenticate, visit:\n\n\t${n.BrowseToURL}\n`); }
      if (n.State === 3 && !printed) { printed = true; console.error(`\nTo approve your machine, visit (as admin):\n\n\thttps://login.tailscale.com/admin/machines\n`); }
      if (n.State === 6) { if (printed) console.error("Success."); return 0; }
    }
  }
  console.error(`timeout waiting for Tailscale service to enter a Running state; check health with "tailscale status"`);
  return 1;
}

function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) throw new Error(`invalid value "${s}" for flag -timeout: parse error`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "s"]!);
}

export async function main(argv: string[]): Promise<void> {
  const { flags: global, rest } = parse(argv.filter((a) => a.startsWith("--socket")));
  const sock = global.socket ?? "/var/run/tailscale/tailscaled.sock";
  const args = argv.filter((a) => !a.startsWith("--socket"));
  const [cmd, ...tail] = args;
  void rest;
  const { flags } = parse(tail);
  switch (cmd) {
    case "up": process.exit(await up(sock, flags));
    case "status": {
      const st = await (await api(sock, "status")).json() as any;
      if (flags.json) { console.log(JSON.stringify(st, null, 2)); process.exit(0); }
      const msg: Record<string, string> = { NeedsLogin: `Logged out.${st.AuthURL ? `\nLog in at: ${st.AuthURL}` : ""}`, NeedsMachineAuth: "Machine is not yet approved by tailnet admin.", Stopped: "Tailscale is stopped.", NoState: "unexpected state: NoState" };
      if (st.BackendState === "Running" || st.BackendState === "Starting") { console.log(`${st.TailscaleIPs[0] ?? "-"}  ${st.Self.HostName}  linux  -`); process.exit(0); }
      console.log(msg[st.BackendState] ?? st.BackendState);
      process.exit(1);
    }
    case "set": {
      const mp: Record<string, unknown> = {};
      for (const [flag, key, , conv] of UP_FLAGS) if (flag in flags) { mp[key] = conv(flags[flag]); mp[`${key}Set`] = true; }
      const r = await api(sock, "prefs", { method: "PATCH", body: JSON.stringify(mp) });
      process.exit(r.ok ? 0 : 1);
    }
    case "down": { await api(sock, "prefs", { method: "PATCH", body: JSON.stringify({ WantRunning: false, WantRunningSet: true }) }); process.exit(0); }
    case "debug": if (tail[0] === "prefs") { console.log(JSON.stringify(await (await api(sock, "prefs")).json(), null, "\t")); process.exit(0); } break;
    case "version": console.log("1.96.0-fake"); process.exit(0);
  }
  console.error(`tailscale: unknown subcommand: ${cmd ?? "(none)"}`);
  process.exit(1);
}
