// The serial console through a pty, expect-style: golden help/status/diag, line editing, follow mode,
// log lines above the prompt, robustness against junk, and console + ctl at the same time.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { IS_ROOT, NEED_ROOT } from "../helpers/env.ts";
import { clean, PtyConsole } from "../helpers/console.ts";
import { guestToml, NsGuest } from "../helpers/guest.ts";
import { waitFor } from "../helpers/poll.ts";

const P = "sovereign-sql> ";
/** Make timings and pids stable for golden comparison. */
const norm = (s: string) => clean(s).replace(/\d+(\.\d+)?(ms|s)\b/g, "T").replace(/\d+(\.\d+)? ms\b/g, "T").replace(/\bpid \d+/g, "pid N")
  .replace(/agent \S+$/m, "agent V").replace(/ {2,}/g, "  ").replace(/^(  sleeper  ready  )\d+/m, "$1N");

describe.skipIf(!IS_ROOT)(`serial console ${IS_ROOT ? "" : NEED_ROOT}`, () => {
  let pty: PtyConsole, g: NsGuest;
  beforeAll(async () => {
    pty = await PtyConsole.open();
    g = await NsGuest.boot({ name: "con", console: pty.slave, toml: guestToml(`[[service]]\nname = "sleeper"\ncommand = ["/bin/sleep", "100000"]\n`) });
    await waitFor("boot finished", () => g.console().includes("boot finished"));
    await pty.expect(P);
  }, 30_000);
  afterAll(async () => { await g?.stop(); pty?.close(); });

  test("help: golden", async () => {
    expect(clean(await pty.command("help", P))).toBe(`help
help                         list commands
status [--json]              role, boot phases, config and services
version                      agent version
config                       effective config, secrets redacted
start SERVICE                start a service (clears a failed state)
stop SERVICE                 stop a service (its stop signal, then SIGKILL at the deadline)
restart SERVICE              stop, then start a service
logs SERVICE|agent [N] [-f]  recent output of a service (or the agent); -f follows
deaths SERVICE               when and how a service died, with its last lines
net [--json]                 links, addresses, routes (main, 52), rules, forwarding sysctls
fw                           the live nftables ruleset of our table (inet sovereign)
ts [--json]                  tailscale: state, IPs, advertised vs approved routes, health, next action
diag [--json]                run every check: kernel, network, forwarding, tailscale, services
kernel-check [FILE]          required kernel options of the running kernel (/proc/config.gz)
shell                        a /bin/sh on this console (only with sovereign.debug_shell=1)
poweroff                     stop services in order and power off
reboot                       stop services in order and reboot
`);
  });

  test("status: golden (timings normalized)", async () => {
    expect(norm(await pty.command("status", P))).toBe(`status
role sql  host sovereign-sql  pid1 yes  up T  agent V
config: ok (${g.dir}/agent.toml)
boot: 13 phases, all ok
  ok  mounts  T  mounted /run /tmp /sys/fs/cgroup
  ok  cad  T  not available here (reboot(0x0): EINVAL (invalid argument))
  ok  config  T  role sql from ${g.dir}/agent.toml
  ok  control  T  ${g.dir}/agent.sock
  ok  console  T  ${pty.slave}
  ok  disks  T  skipped: data.enabled = false
  ok  hostname  T  sovereign-sql
  ok  devices  T  /dev/net/tun present
  ok  preflight  T  4 probes passed
  ok  network  T  skipped: net.enabled = false
  ok  firewall  T  skipped: firewall.enabled = false
  ok  tailscale  T  skipped: tailscale.enabled = false
  ok  services  T  started sleeper
services:
  NAME  STATE  PID  RESTARTS  UPTIME  NOTE
  sleeper  ready  N  0  T
`);
  });

  test("diag: golden PASS/FAIL table", async () => {
    expect(norm(await pty.command("diag", P))).toBe(`diag
PASS  net  net.enabled = false (not managed)
PASS  kernel:tun  created and deleted a TUN device
PASS  kernel:fwmark-rule  added and deleted \`fwmark 0x10000/0xff0000 lookup 10052 pref 32000\`
PASS  kernel:nft-nat  created and deleted a nat postrouting chain with masquerade and ct state
PASS  kernel:forwarding-sysctls  ip_forward=0 ipv6 forwarding=0
PASS  service:sleeper  ready pid N
diag: 6 checks, all passed
`);
  });

  test("line editing: backspace, Ctrl-U, Ctrl-C, history, unknown command with a suggestion", async () => {
    expect(clean(await pty.command("verzion\x7f\x7f\x7f\x7fsion", P))).toContain("sovereign-agent ");
    const u = clean(await pty.command("garbage\x15version", P));
    expect(u).toContain("sovereign-agent ");
    expect(u).not.toContain("unknown command");
    const start = pty.out.length;
    pty.send("status\x03");
    await pty.expect("^C", start);
    await pty.expect(P, start + 5);
    const h = pty.out.length;
    pty.send("\x1b[A"); // history: the last command was version
    await pty.expect(`${P}version`, h);
    expect(clean(await pty.command("", P))).toContain("sovereign-agent ");
    expect(clean(await pty.command("stauts", P))).toContain(`unknown command "stauts"; did you mean 'status'? (try 'help')`);
    expect(clean(await pty.command("x".repeat(5000), P, 30_000))).toContain("error: line of 5000 bytes rejected (max 4096)");
  }, 60_000);

  test("log lines print above the prompt and the typed text is redrawn", async () => {
    const start = pty.out.length;
    pty.send("stat");
    await pty.expect("stat", start);
    expect((await g.ctl(["restart", "sleeper"])).code).toBe(0);
    await pty.expect("sleeper: started pid", start);
    await pty.expect(`${P}stat`, pty.out.indexOf("sleeper: started pid", start));
    expect(clean(await pty.command("us", P))).toContain("role sql");
  });

  test("logs -f follows until Ctrl-C; console and ctl work at the same time", async () => {
    const start = pty.out.length;
    pty.send("logs agent 1 -f\r");
    await pty.expect("(following; Ctrl-C stops)", start);
    expect((await g.ctl(["restart", "sleeper"])).code).toBe(0);
    await pty.expect("sleeper: stopping pid", start);
    pty.send("\x03");
    await pty.expect(`^C\r\n\r\x1b[K${P}`, start);
    expect(clean(await pty.command("version", P))).toContain("sovereign-agent ");
  });

  test("fuzz: 10 000 random lines and junk leave the agent alive with bounded RSS", async () => {
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${g.agentHostPid()}/status`, "utf8"))![1]);
    const before = rss();
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const words = ["help", "status", "logs", "deaths", "nope", "start", "stop", "x", "--json", "-f", "99999"];
    const chunks: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (i % 10 === 0) chunks.push(String.fromCharCode(...Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 256))).replace(/[\x03\r\n]/g, ""));
      else chunks.push(Array.from({ length: 1 + Math.floor(rand() * 4) }, () => words[Math.floor(rand() * words.length)]).join(" ").replace(/^(stop|start)\b.*/, "deaths nope").replace(/-f/g, "-F"));
    }
    for (let i = 0; i < chunks.length; i += 200) {
      pty.send(Buffer.from(chunks.slice(i, i + 200).map((c) => c + "\r").join(""), "latin1"));
      expect((await g.ctl(["version"])).code).toBe(0);
    }
    await waitFor("console settles", async () => (await g.ctl(["status"])).code === 0);
    const status = await g.ctl(["status", "--json"]);
    expect(JSON.parse(status.stdout).services[0].state).toBe("ready");
    expect(rss() - before).toBeLessThan(64 * 1024); // KiB: < 64 MiB growth
    expect(clean(await pty.command("\x15version", P, 60_000))).toContain("sovereign-agent ");
  }, 180_000);
});
