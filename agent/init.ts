// `sovereign-agent init`: the agent as PID 1 (or, in tests, as PID 1 of namespaces).
// Order matters: keep-alive and exception handlers come before anything that can throw, because a
// PID 1 whose event loop drains exits, and the kernel then panics (reference/bun.md §3).
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeSync } from "node:fs";
import { runPhases, type Phase } from "./boot.ts";
import { loadConfig } from "./config/load.ts";
import { DEFAULT_SOCKET } from "./console/ctl.ts";
import { serveControl } from "./console/control-socket.ts";
import { errMsg } from "./errors.ts";
import { Logger, stdoutSink } from "./log.ts";
import { Reaper } from "./proc/reaper.ts";
import { setExecHelper } from "./proc/spawn.ts";
import { Supervisor } from "./proc/supervisor.ts";
import { fatalLine, shutdown } from "./shutdown.ts";
import type { AgentState, ShutdownKind } from "./state.ts";
import { BOOT_MOUNTS, mountAll } from "./sys/mounts.ts";
import { mountLabel } from "./sys/disks.ts";
import { isPid1, mknodChar, RB, reboot, sethostname, sync } from "./sys/syscalls.ts";
import { VERSION } from "./version.ts";
import { registerNetCommand, setupNetwork } from "./net/setup.ts";
import { registerDiagCommand } from "./console/diag.ts";
import { registerServiceDiag } from "./console/service-diag.ts";
import { registerSelftests } from "./console/selftest.ts";
import { pickConsole, registerShellCommand, SerialConsole } from "./console/serial.ts";
import { firewallPhase, preflightPhase, registerKernelChecks } from "./kernel/setup.ts";
import { registerTailscale, tailscalePhase } from "./services/tailscale/setup.ts";
import { postgresHooks, postgresService } from "./services/postgres.ts";
import { forgejoHooks, forgejoService } from "./services/forgejo.ts";

/** Options from the init command line. */
export interface InitOptions { config?: string; cmdline?: string; socket?: string; root?: string }

/** Boot and run forever. */
export async function runInit(opts: InitOptions): Promise<void> {
  // 1. Nothing may drain the loop or escape as an exception.
  setInterval(() => {}, 1 << 30);
  const log = new Logger();
  const removeStdout = log.addSink(stdoutSink);
  const pid1 = isPid1();
  let exceptions: number[] = [];
  const onUnexpected = (kind: string) => (e: unknown) => {
    log.error("agent", `${kind}: ${e instanceof Error ? e.stack ?? e.message : String(e)} (the agent keeps running)`);
    const now = Date.now();
    exceptions = [...exceptions.filter((t) => now - t < 60_000), now];
    if (exceptions.length >= 50 && pid1 && !st.shuttingDown) {
      writeSync(1, fatalLine("exception-storm", `${exceptions.length} unexpected errors in 60s; last: ${errMsg(e)}`) + "\n");
      st.requestShutdown("poweroff", "exception storm");
    }
  };
  process.on("uncaughtException", onUnexpected("uncaught exception"));
  process.on("unhandledRejection", onUnexpected("unhandled rejection"));

  const root = opts.root ?? "/";
  const sup = new Supervisor(log, { root, runDir: "/run/sovereign", setpriv: "/usr/bin/setpriv", readKmsg: () => pid1 && !!st.config?.log.kmsg });
  const unmount: string[] = [];
  let listener: { stop: (force?: boolean) => void } | undefined;
  const st: AgentState = {
    log, configProblems: [], phases: [], sup, startedAt: Date.now(), pid1, shuttingDown: false, sections: new Map(),
    requestShutdown: (kind: ShutdownKind, reason: string) => {
      if (st.shuttingDown) return;
      st.shuttingDown = true;
      void shutdown(st, kind, reason, { unmount, beforeExit: () => listener?.stop(true) }).catch((e) => {
        // Shutdown must finish: fall through to power-off even if a step threw.
        writeSync(1, fatalLine("shutdown-error", errMsg(e)) + "\n");
        if (pid1) { sync(); reboot(RB.POWER_OFF); } else process.exit(1);
      });
    },
  };
  process.on("SIGTERM", () => st.requestShutdown("poweroff", "SIGTERM"));
  process.on("SIGINT", () => st.requestShutdown("reboot", "SIGINT (Ctrl-Alt-Del)"));
  process.on("SIGHUP", () => log.info("agent", "SIGHUP ignored: config changes take effect at boot; use `restart SERVICE`"));
  registerNetCommand();
  registerKernelChecks();
  registerTailscale();
  registerServiceDiag();
  registerDiagCommand();
  const reaper = new Reaper();
  reaper.start();
  registerSelftests(() => reaper.reaped);
  try { for (const l of readFileSync("/etc/sovereign/banner", "utf8").trim().split("\n")) log.warn("image", l); } catch { /* no banner */ }
  log.info("agent", `sovereign-agent ${VERSION} starting as pid ${process.pid}${pid1 ? " (PID 1)" : " (not PID 1: no machine-wide mounts, no reboot)"}`);

  let cmdline = opts.cmdline;
  const phases: Phase[] = [
    {
      name: "mounts",
      run: () => {
        if (!pid1) return "skipped: not PID 1 (would mount /sys /dev /dev/pts /dev/shm /run /tmp /sys/fs/cgroup)";
        const done = mountAll(BOOT_MOUNTS);
        return done.length ? `mounted ${done.join(" ")}` : "all present";
      },
    },
    {
      name: "cad",
      run: () => {
        if (!pid1) return "skipped: not PID 1";
        try { reboot(RB.DISABLE_CAD); return "Ctrl-Alt-Del arrives as SIGINT"; } catch (e) { return `not available here (${errMsg(e)})`; }
      },
    },
    {
      name: "config",
      run: () => {
        if (cmdline === undefined) cmdline = pid1 ? readFileSync("/proc/cmdline", "utf8") : "";
        const r = loadConfig({ file: opts.config, cmdline });
        st.configFile = r.file;
        if (!r.config) {
          st.configProblems = r.problems;
          for (const p of r.problems) log.error("config", p);
          throw new Error(`load config: ${r.problems.length} problem(s); services will not start (see status)`);
        }
        st.config = r.config;
        log.level = r.config.log.level;
        if (existsSync(r.config.system.exec_helper)) setExecHelper(r.config.system.exec_helper);
        else log.warn("agent", `exec helper ${r.config.system.exec_helper} missing: children start without a guaranteed clean signal mask (set system.exec_helper)`);
        if (pid1 && r.config.log.kmsg) log.openKmsg();
        return `role ${r.config.role}${r.file ? ` from ${r.file}` : " (defaults)"}`;
      },
    },
    {
      name: "control",
      run: () => {
        const path = opts.socket ?? st.config?.control.socket ?? DEFAULT_SOCKET;
        listener = serveControl(st, path);
        return path;
      },
    },
    {
      name: "console",
      run: () => {
        if (st.config && !st.config.console.enabled) return "skipped: console.enabled = false";
        const devices = pickConsole(st.config?.console.devices ?? []);
        if (st.config?.console.debug_shell) registerShellCommand();
        const up: string[] = [];
        for (const d of devices) {
          try {
            const con = new SerialConsole(st, d);
            con.start();
            log.addSink((line) => con.logLine(line));
            if (con.sameDeviceAs(1)) removeStdout(); // the console already shows every log line
            up.push(d);
          } catch (e) {
            log.error("console", `open console ${d}: ${errMsg(e)} (set sovereign.console=DEV)`);
          }
        }
        if (!up.length) throw new Error(`open console: none of ${devices.join(", ") || "hvc0, ttyS0, /dev/console"} could be opened; ctl still works`);
        return up.join(", ");
      },
    },
    {
      name: "disks",
      run: () => {
        if (!st.config) return "skipped: no config";
        if (!st.config.data.enabled) return "skipped: data.enabled = false";
        if (!pid1) return `skipped: not PID 1 (would mount label ${st.config.data.label} on ${st.config.data.mountpoint})`;
        const notes: string[] = [];
        const cfg = mountLabel("sovereign-cfg", "/run/sovereign/config", true);
        if (cfg) notes.push(`config disk ${cfg}`);
        const data = mountLabel(st.config.data.label, st.config.data.mountpoint);
        if (data) { notes.push(`data disk ${data}`); unmount.push(st.config.data.mountpoint); }
        else if (st.config.data.required) throw new Error(`mount data disk: no ext4 filesystem labelled ${st.config.data.label} (attach it, e.g. crosvm --rwdisk data.img; services stay off)`);
        else notes.push(`no data disk labelled ${st.config.data.label}: data stays on the root filesystem`);
        return notes.join("; ");
      },
    },
    {
      name: "hostname",
      run: () => {
        if (!st.config) return "skipped: no config";
        if (!pid1) return `skipped: not PID 1 (would set ${st.config.hostname})`;
        sethostname(st.config.hostname);
        return st.config.hostname;
      },
    },
    {
      name: "devices",
      run: () => {
        if (!pid1) return "skipped: not PID 1";
        // devtmpfs has no /dev/fd or /dev/std* (udev makes them elsewhere); initdb --pwfile=/dev/stdin needs them.
        for (const [link, to] of [["/dev/fd", "/proc/self/fd"], ["/dev/stdin", "/proc/self/fd/0"], ["/dev/stdout", "/proc/self/fd/1"], ["/dev/stderr", "/proc/self/fd/2"]]) {
          if (!existsSync(link)) { try { symlinkSync(to, link); } catch (e) { log.warn("devices", `link ${link}: ${errMsg(e)}`); } }
        }
        if (existsSync("/dev/net/tun")) return "/dev/net/tun present";
        mkdirSync("/dev/net", { recursive: true });
        mknodChar("/dev/net/tun", 0o666, 10, 200);
        return "created /dev/net/tun (10:200)";
      },
    },
    {
      name: "preflight",
      run: async () => {
        const r = await preflightPhase(st);
        st.preflight = r.results;
        return r.note;
      },
    },
    {
      name: "network",
      run: () => {
        if (!st.config) return "skipped: no config";
        if (!st.config.net.enabled) return "skipped: net.enabled = false";
        return setupNetwork(st.config, log, root);
      },
    },
    {
      name: "firewall",
      run: () => (st.config ? firewallPhase(st.config) : "skipped: no config"),
    },
    {
      name: "tailscale",
      run: () => (st.config ? tailscalePhase(st) : "skipped: no config"),
    },
    {
      name: "services",
      run: () => {
        if (!st.config) throw new Error("start services: config is invalid (see status)");
        if (st.phases.some((p) => p.name === "disks" && !p.ok)) throw new Error("start services: the data disk is missing (see the disks phase); nothing was started so no data lands on the root filesystem");
        const c = st.config;
        const names: string[] = [];
        if (c.postgres.enabled) { sup.add(postgresService(c), postgresHooks(c, log, root)); names.push("postgres"); }
        if (c.forgejo.enabled) { sup.add(forgejoService(c), forgejoHooks(c, log, root)); names.push("forgejo"); }
        for (const s of c.services) { sup.add(s); names.push(s.name); }
        sup.startAll();
        return names.length ? `started ${names.join(", ")}` : "no services configured";
      },
    },
  ];
  await runPhases(phases, log, st.phases);
  log.info("agent", st.configProblems.length ? "boot finished with an invalid config: console only" : "boot finished");
}
