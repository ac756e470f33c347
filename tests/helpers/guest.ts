// Namespace guests: the compiled agent as PID 1 of fresh pid+mount+uts(+net) namespaces, driven via ctl.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { needAgent, ROOT, scratch } from "./env.ts";
import { waitFor } from "./poll.ts";

export interface GuestOptions {
  toml: string;
  cmdline?: string;
  netns?: string;             // run inside `ip netns exec NAME`; default: a private `unshare --net`
  name?: string;
  console?: string;           // a pty slave for the serial console; default: console disabled
  wrap?: string[];            // a command prefix the namespace runner starts through (tests of inherited state)
}

/** A running namespace guest. */
export class NsGuest {
  readonly socket: string;
  readonly consolePath: string;
  private constructor(readonly dir: string, readonly proc: Subprocess) {
    this.socket = join(dir, "agent.sock");
    this.consolePath = join(dir, "console.log");
  }

  /** Boot a guest and wait until its control socket answers. */
  static async boot(o: GuestOptions): Promise<NsGuest> {
    const agent = needAgent();
    const dir = scratch(o.name ?? "guest");
    writeFileSync(join(dir, "agent.toml"), o.toml);
    const ns = o.netns ? ["ip", "netns", "exec", o.netns, "unshare", "--pid", "--fork", "--mount", "--uts", "--mount-proc"]
      : ["unshare", "--pid", "--fork", "--mount", "--net", "--uts", "--mount-proc"];
    const out = Bun.file(join(dir, "console.log"));
    // Never let a test guest pick the host's serial ports or scan the host's disks for a data-disk
    // label: the console is off unless a pty is given, and disk mounting is off.
    const helper = join(ROOT, "out", process.arch === "arm64" ? "sovereign-init-arm64" : "sovereign-init-x64");
    const cmdline = `${o.cmdline ?? ""} ${o.console ? `sovereign.console=${o.console}` : "sovereign.console.enabled=0"} sovereign.data.enabled=0 sovereign.system.exec_helper=${helper}`.trim();
    const proc = Bun.spawn([...(o.wrap ?? []), ...ns, agent, "init", "--config", join(dir, "agent.toml"), "--socket", join(dir, "agent.sock"), "--cmdline", cmdline],
      { stdout: out, stderr: out, stdin: "ignore" });
    const g = new NsGuest(dir, proc);
    await waitFor(`guest ${dir} control socket`, async () => (await g.ctl(["version"])).code === 0, 20_000, 50);
    return g;
  }

  /** Run `sovereign-agent ctl` against this guest. */
  async ctl(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const p = Bun.spawn([needAgent(), "ctl", "--socket", this.socket, ...argv], { stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, stdout, stderr };
  }

  /** status --json, parsed. */
  async status(): Promise<any> {
    const r = await this.ctl(["status", "--json"]);
    if (r.code !== 0) throw new Error(`ctl status: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  /** One service's entry in status. */
  async service(name: string): Promise<any> {
    return (await this.status()).services.find((s: any) => s.name === name);
  }

  /** Everything the guest printed so far. */
  console(): string {
    try { return readFileSync(this.consolePath, "utf8"); } catch { return ""; }
  }

  /** Host pid of the agent (the unshare child, PID 1 inside). */
  agentHostPid(): number {
    const kids = readFileSync(`/proc/${this.proc.pid}/task/${this.proc.pid}/children`, "utf8").trim().split(/\s+/).map(Number);
    if (!kids[0]) throw new Error("find agent pid: unshare has no child");
    return kids[0];
  }

  /** Power off via ctl (or kill) and wait for the namespace to end; remove the scratch dir. */
  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      await this.ctl(["poweroff"]).catch(() => undefined);
      const t = setTimeout(() => this.proc.kill("SIGKILL"), 20_000);
      await this.proc.exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** TOML for a test guest: no network, no tailscale, no kmsg, debug commands on, plus `extra`. */
export function guestToml(extra = "", role = "sql"): string {
  return `role = "${role}"
[log]
kmsg = false
[console]
debug_shell = true
[net]
enabled = false
[firewall]
enabled = false
[postgres]
enabled = false
[forgejo]
enabled = false
[tailscale]
enabled = false
${extra}`;
}
