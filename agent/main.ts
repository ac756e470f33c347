// sovereign-agent: argv dispatch. init | ctl | config-check | kernel-check | version | help
import { loadConfig } from "./config/load.ts";
import { formatConfig } from "./config/redact.ts";
import { ctl, DEFAULT_SOCKET } from "./console/ctl.ts";
import { errMsg } from "./errors.ts";
import { checkKConfig, parseKConfig, readKConfigFile, renderKernelCheck } from "./kernel/check.ts";
import { runInit } from "./init.ts";
import { VERSION } from "./version.ts";

const USAGE = `usage: sovereign-agent COMMAND
  init [--config FILE] [--cmdline STRING] [--socket PATH]   run as the guest's init (PID 1)
  ctl [--socket PATH] COMMAND [ARGS]                         run a console command on a live agent
  config-check FILE [--cmdline STRING]                       print the effective config (exit 2 if invalid)
  kernel-check FILE|-|/proc/config.gz                        list required kernel options (exit 1 if any missing)
  version                                                    print the version`;

/** Split `--flag value` / `--flag=value` options (only the named ones) from positional args. */
export function takeFlags(args: string[], names: string[], anywhere = false): { flags: Record<string, string>; rest: string[] } {
  const flags: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = names.find((n) => a === `--${n}` || a.startsWith(`--${n}=`));
    if (name && (anywhere || rest.length === 0)) {
      if (a.includes("=")) flags[name] = a.slice(a.indexOf("=") + 1);
      else if (i + 1 < args.length) flags[name] = args[++i];
      else throw new Error(`parse arguments: --${name} needs a value`);
    } else {
      rest.push(a);
    }
  }
  return { flags, rest };
}

async function main(argv: string[]): Promise<number | "forever"> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case "init": {
      const { flags } = takeFlags(args, ["config", "cmdline", "socket", "root"]);
      await runInit({ config: flags.config, cmdline: flags.cmdline, socket: flags.socket, root: flags.root });
      return "forever";
    }
    case "ctl": {
      const { flags, rest } = takeFlags(args, ["socket"]);
      if (!rest.length) { process.stderr.write("usage: sovereign-agent ctl [--socket PATH] COMMAND [ARGS] (try: ctl help)\n"); return 2; }
      return ctl(flags.socket ?? DEFAULT_SOCKET, rest);
    }
    case "config-check": {
      const { flags, rest } = takeFlags(args, ["cmdline"], true);
      if (rest.length !== 1) { process.stderr.write("usage: sovereign-agent config-check FILE [--cmdline STRING]\n"); return 2; }
      const r = loadConfig({ file: rest[0], cmdline: flags.cmdline ?? "" });
      if (!r.config) {
        process.stderr.write(r.problems.map((p) => `config-check: ${p}\n`).join(""));
        return 2;
      }
      process.stdout.write(formatConfig(r.config) + "\n");
      return 0;
    }
    case "kernel-check": {
      if (args.length !== 1) { process.stderr.write("usage: sovereign-agent kernel-check FILE|-|/proc/config.gz\n"); return 2; }
      let text: string;
      try { text = readKConfigFile(args[0]); } catch (e) { process.stderr.write(`kernel-check: read ${args[0]}: ${errMsg(e)}\n`); return 2; }
      const k = parseKConfig(text);
      const r = renderKernelCheck(args[0], k, checkKConfig(k));
      process.stdout.write(r.text + "\n");
      return r.code;
    }
    case "version":
    case "--version":
      process.stdout.write(`sovereign-agent ${VERSION}\n`);
      return 0;
    case undefined:
      // Started by the kernel with no arguments: we are init.
      if (process.pid === 1) { await runInit({}); return "forever"; }
      process.stderr.write(USAGE + "\n");
      return 2;
    // Helpers for `_reap-test`: a parent that leaves an orphan behind, and the orphan itself.
    case "_orphan-parent":
      Bun.spawn([process.execPath, "_sleep", "300"], { stdio: ["ignore", "ignore", "ignore"], detached: true }).unref();
      return 0;
    case "_sleep":
      await Bun.sleep(Number(args[0] ?? 100));
      return 0;
    case "help":
    case "--help":
      process.stdout.write(USAGE + "\n");
      return 0;
    default:
      process.stderr.write(`sovereign-agent: unknown command ${JSON.stringify(cmd)}\n${USAGE}\n`);
      return 2;
  }
}

// No top-level await: --bytecode compiles to CommonJS.
main(process.argv.slice(2)).then(
  (code) => { if (code !== "forever") process.exit(code); },
  (e) => {
    process.stderr.write(`sovereign-agent: ${errMsg(e)}\n`);
    // As PID 1 never exit: init keeps its own keep-alive; elsewhere report failure.
    if (process.pid !== 1) process.exit(1);
  },
);
