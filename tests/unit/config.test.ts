import { describe, expect, test } from "bun:test";
import { parseCmdline, splitCmdline } from "../../agent/config/cmdline.ts";
import { loadConfig } from "../../agent/config/load.ts";
import { formatConfig } from "../../agent/config/redact.ts";

const load = (toml: string, cmdline = "") => loadConfig({ fileText: toml, cmdline });

describe("config: good input", () => {
  test("role defaults fill everything", () => {
    const r = load(`role = "sql"`);
    expect(r.problems).toEqual([]);
    expect(r.config!.net.ip).toEqual({ addr: "192.168.100.2", len: 24 });
    expect(r.config!.tailscale.enabled).toBe(true);
    expect(load(`role = "forgejo"`).config!.net.ip.addr).toBe("192.168.100.3");
    expect(load(`role = "forgejo"`).config!.tailscale.enabled).toBe(false);
  });

  test("cmdline overrides TOML, which overrides defaults", () => {
    const r = load(`role = "sql"\n[net]\nmtu = 1400\ngw = "10.0.0.1"\n`, "console=hvc0 sovereign.mtu=1280 sovereign.dns=1.1.1.1,9.9.9.9 sovereign.tailscale=off quiet");
    expect(r.problems).toEqual([]);
    expect(r.config!.net.mtu).toBe(1280);
    expect(r.config!.net.gw).toBe("10.0.0.1");
    expect(r.config!.net.dns).toEqual(["1.1.1.1", "9.9.9.9"]);
    expect(r.config!.tailscale.enabled).toBe(false);
  });

  test("role from the cmdline alone; hostname carries into tailscale.hostname", () => {
    const r = load("", "sovereign.role=forgejo sovereign.hostname=git-vm");
    expect(r.config!.role).toBe("forgejo");
    expect(r.config!.tailscale.hostname).toBe("git-vm");
  });

  test("generic sovereign.<key> and quoted values", () => {
    expect(splitCmdline(`a=1 sovereign.control.socket="/x y/s" b`)).toEqual(["a=1", "sovereign.control.socket=/x y/s", "b"]);
    const r = load(`role = "sql"`, `sovereign.control.socket="/x y/s"`);
    expect(r.config!.control.socket).toBe("/x y/s");
  });

  test("services parse with defaults and readiness specs", () => {
    const r = load(`role = "sql"\n[[service]]\nname = "a"\ncommand = ["/bin/true"]\nready = "tcp:127.0.0.1:5432"\n[[service]]\nname = "b"\ncommand = ["/bin/true"]\ndepends_on = ["a"]\n`);
    expect(r.problems).toEqual([]);
    expect(r.config!.services[0].ready).toEqual({ kind: "tcp", host: "127.0.0.1", port: 5432 });
    expect(r.config!.services[1].stop_signal).toBe("SIGTERM");
  });

  test("secrets in service env are redacted when printed", () => {
    const r = load(`role = "sql"\n[[service]]\nname = "a"\ncommand = ["/bin/true"]\nenv = { DB_PASSWORD = "hunter2hunter2", PGPORT = "5432" }\n`);
    const text = formatConfig(r.config!);
    expect(text).not.toContain("hunter2hunter2");
    expect(text).toContain("<redacted>");
    expect(text).toContain("5432");
  });
});

describe("config: bad input gives one exact line per problem", () => {
  const cases: { name: string; toml: string; cmdline?: string; want: string[] }[] = [
    { name: "unknown key", toml: `role = "sql"\n[net]\nmtux = 1\n`, want: ["net.mtux: unknown key (allowed: dns, enabled, gw, iface, ip, lan, mtu, peers)"] },
    { name: "unknown top-level key", toml: `role = "sql"\ncolour = "red"\n`, want: ["colour: unknown key (allowed: console, control, data, firewall, forgejo, hostname, log, net, postgres, role, service, system, tailscale)"] },
    { name: "bad CIDR", toml: `role = "sql"\n[net]\nip = "192.168.100.300/24"\n`, want: [`net.ip: "192.168.100.300/24" is not an IPv4 CIDR (want an IPv4 CIDR a.b.c.d/0-32, e.g. 192.168.100.2/24)`] },
    { name: "CIDR without length", toml: `role = "sql"\n[net]\nip = "192.168.100.2"\n`, want: [`net.ip: "192.168.100.2" is not an IPv4 CIDR (want an IPv4 CIDR a.b.c.d/0-32, e.g. 192.168.100.2/24)`] },
    { name: "bad role", toml: `role = "web"\n`, want: [`role: "web" is not allowed (want one of: sql, forgejo)`] },
    { name: "missing role", toml: ``, want: [`role: missing (set role = "sql" or "forgejo" in /etc/sovereign/agent.toml, or sovereign.role= on the kernel cmdline)`] },
    { name: "duplicate TOML key", toml: `role = "sql"\nrole = "sql"\n`, want: [`agent.toml: invalid TOML: Cannot redefine key 'role'`] },
    { name: "duplicate cmdline key", toml: `role = "sql"`, cmdline: "sovereign.ip=10.0.0.2/24 sovereign.ip=10.0.0.3/24", want: [`sovereign.ip: given twice on the command line ("10.0.0.2/24" and "10.0.0.3/24"; give it once)`] },
    { name: "wrong type in TOML", toml: `role = "sql"\n[net]\nmtu = "1500"\n`, want: [`net.mtu: "1500" is not an integer (want an integer 576-65535)`] },
    { name: "wrong type: bool", toml: `role = "sql"\n[tailscale]\nenabled = "yes"\n`, want: [`tailscale.enabled: "yes" is a string (want true or false (cmdline: 1/0, on/off))`] },
    { name: "out of range", toml: `role = "sql"`, cmdline: "sovereign.mtu=70000", want: [`net.mtu: 70000 is out of range (want an integer 576-65535)`] },
    { name: "bad gateway", toml: `role = "sql"`, cmdline: "sovereign.gw=1.2.3", want: [`net.gw: "1.2.3" is not an IPv4 address (want an IPv4 address or "")`] },
    { name: "unknown cmdline key", toml: `role = "sql"`, cmdline: "sovereign.colour=red", want: [`sovereign.colour: unknown command-line key (known: sovereign.config, sovereign.console, sovereign.debug_shell, sovereign.dns, sovereign.gw, sovereign.hostname, sovereign.iface, sovereign.ip, sovereign.log, sovereign.mtu, sovereign.role, sovereign.tailscale, or sovereign.<config key>)`] },
    { name: "section of wrong type", toml: `role = "sql"\nnet = 3\n`, want: [`net: 3 is an integer (want a table)`] },
    { name: "service without command", toml: `role = "sql"\n[[service]]\nname = "x"\n`, want: [`service.x.command: undefined is not a command (want a non-empty list of strings, e.g. ["/bin/sleep", "10"])`] },
    { name: "service dependency unknown", toml: `role = "sql"\n[[service]]\nname = "x"\ncommand = ["/bin/true"]\ndepends_on = ["y"]\n`, want: [`service.x.depends_on: "y" is not a defined service (defined: x)`] },
    { name: "service bad readiness", toml: `role = "sql"\n[[service]]\nname = "x"\ncommand = ["/bin/true"]\nready = "http"\n`, want: [`service.x.ready: "http" is not a readiness probe (want none, notify, tcp:HOST:PORT or exec:COMMAND)`] },
    { name: "two problems, two lines", toml: `role = "sql"\n[net]\nmtu = 1\nip = "x"\n`, want: [`net.ip: "x" is not an IPv4 CIDR (want an IPv4 CIDR a.b.c.d/0-32, e.g. 192.168.100.2/24)`, `net.mtu: 1 is out of range (want an integer 576-65535)`] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = load(c.toml, c.cmdline);
      expect(r.config).toBeUndefined();
      expect(r.problems).toEqual(c.want);
    });
  }

  test("cmdline parser ignores kernel keys and keeps sovereign.config apart", () => {
    const p = parseCmdline("console=ttyS0 root=/dev/vda sovereign.config=/etc/x.toml sovereign.debug_shell");
    expect(p.configPath).toBe("/etc/x.toml");
    expect([...p.values]).toEqual([["console.debug_shell", "1"]]);
  });
});
