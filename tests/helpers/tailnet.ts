// The whole tailnet story in namespaces: phone (bridge + NAT + fake control/relay), a laptop on the
// "wan" side running the fake tailscaled as a client, and wrapper scripts the agents run as their
// tailscaled/tailscale binaries (the agent only knows their paths).
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ROOT, scratch } from "./env.ts";
import { NetNs } from "./netns.ts";
import { waitFor } from "./poll.ts";
import { Phone } from "./topology.ts";

export const FAKES = join(ROOT, "out", "fakes", process.arch === "arm64" ? "sovereign-fakes-arm64" : "sovereign-fakes-x64");
export const BUN = join(ROOT, "node_modules/.bin/bun");

/** Write the wrapper scripts for the fake binaries into dir/bin; knobs go through FAKE_TS_KNOBS. */
export function fakeBins(dir: string, knobs: object = {}): { tailscaled: string; tailscale: string; forgejo: string; knobs: string } {
  const knobFile = join(dir, "knobs.json");
  writeFileSync(knobFile, JSON.stringify(knobs));
  const mk = (name: string) => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\nFAKE_TS_KNOBS=${knobFile} exec ${FAKES} ${name} "$@"\n`);
    chmodSync(p, 0o755);
    return p;
  };
  return { tailscaled: mk("tailscaled"), tailscale: mk("tailscale"), forgejo: mk("forgejo"), knobs: knobFile };
}

/** Phone + laptop + control plane. */
export class Tailnet {
  laptopTsd?: Subprocess;
  private constructor(readonly phone: Phone, readonly laptop: NetNs, readonly dir: string, public control: Subprocess, readonly adminSock: string) {}

  /** Build the topology and start the fake control plane in the phone namespace. */
  static async create(): Promise<Tailnet> {
    const phone = await Phone.create();
    const laptop = await NetNs.create("laptop");
    const dir = scratch("tailnet");
    await phone.ns.ip("link", "add", "wan", "type", "veth", "peer", "name", "wan0", "netns", laptop.name);
    await phone.ns.ip("addr", "add", "10.99.0.1/24", "dev", "wan");
    await phone.ns.ip("link", "set", "wan", "up");
    await laptop.ip("addr", "add", "10.99.0.2/24", "dev", "wan0");
    await laptop.ip("link", "set", "wan0", "up");
    await laptop.ip("route", "add", "default", "via", "10.99.0.1");
    await phone.ns.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    // The phone: guests may go out (masqueraded), nothing from the wan may come in.
    const nft = join(dir, "phone.nft");
    writeFileSync(nft, `table inet phone {
  chain forward { type filter hook forward priority filter; policy accept; iifname "wan" oifname "br0" ct state new drop; }
  chain post { type nat hook postrouting priority srcnat; oifname "wan" ip saddr 192.168.100.0/24 masquerade; }
}\n`);
    await phone.ns.exec(["nft", "-f", nft]);
    const adminSock = join(dir, "admin.sock");
    const t = new Tailnet(phone, laptop, dir, undefined as unknown as Subprocess, adminSock);
    await t.startControl();
    return t;
  }

  /** (Re)start the control plane + relay. */
  async startControl(): Promise<void> {
    this.control = Bun.spawn(["ip", "netns", "exec", this.phone.ns.name, FAKES, "control", "--listen=0.0.0.0:8080", "--relay=3478", `--admin=${this.adminSock}`],
      { stdout: Bun.file(join(this.dir, `control-${Date.now()}.log`)), stderr: "inherit" });
    await waitFor("control admin socket", async () => (await this.admin("/nodes", undefined).catch(() => null)) !== null, 10_000);
  }

  /** Call the admin API ("the admin console"). */
  async admin(path: string, body: unknown): Promise<any> {
    const r = await fetch(`http://admin${path}`, { unix: this.adminSock, method: body === undefined ? "GET" : "POST", body: body === undefined ? undefined : JSON.stringify(body) } as RequestInit);
    if (!r.ok) throw new Error(`admin ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  }

  /** Start the laptop's fake tailscaled and bring it up with accept-routes. */
  async startLaptop(key: string): Promise<void> {
    const bins = fakeBins(scratch("laptop"));
    const sock = join(this.dir, "laptop-tsd.sock");
    const keyFile = join(this.dir, "laptop.key");
    writeFileSync(keyFile, key);
    this.laptopTsd = Bun.spawn(["ip", "netns", "exec", this.laptop.name, "env", "TS_DEBUG_FIREWALL_MODE=nftables", bins.tailscaled, `--socket=${sock}`, `--state=${join(this.dir, "laptop.state")}`, "--tun=tailscale0"],
      { stdout: Bun.file(join(this.dir, "laptop-tsd.log")), stderr: "inherit" });
    await waitFor("laptop tailscaled socket", () => existsSync(sock), 10_000);
    const up = Bun.spawn(["ip", "netns", "exec", this.laptop.name, bins.tailscale, `--socket=${sock}`, "up", "--login-server=http://10.99.0.1:8080", `--auth-key=file:${keyFile}`, "--accept-routes", "--hostname=laptop", "--timeout=20s"], { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(up.stdout).text(), new Response(up.stderr).text(), up.exited]);
    if (code !== 0) throw new Error(`laptop tailscale up: exit ${code}: ${out}${err}`);
  }

  /** One TCP connect from the laptop. */
  async laptopConnect(host: string, port: number, ms = 1500): Promise<{ ok: boolean; data?: string; error?: string }> {
    return JSON.parse((await this.laptop.exec([BUN, join(ROOT, "tests/helpers/tcp-probe.ts"), host, String(port), String(ms)])).trim());
  }

  /** Tear everything down. */
  async del(): Promise<void> {
    this.laptopTsd?.kill("SIGTERM");
    this.control?.kill("SIGTERM");
    await this.laptopTsd?.exited;
    await this.control?.exited;
    await this.laptop.del();
    await this.phone.del();
  }
}
