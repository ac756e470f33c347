// Multi-call entry for the test doubles: `sovereign-fakes NAME ARGS...`, or a symlink named NAME.
//   tailscaled | tailscale | control | forgejo
import { basename } from "node:path";

const byLink = basename(process.argv0 ?? "");
const names = ["tailscaled", "tailscale", "control", "forgejo"];
const [name, args] = names.includes(byLink) ? [byLink, process.argv.slice(2)] : [process.argv[2], process.argv.slice(3)];
switch (name) {
  case "tailscaled": await (await import("./tailscaled.ts")).main(args); break;
  case "tailscale": await (await import("./tailscale.ts")).main(args); break;
  case "control": process.argv = [process.argv[0], process.argv[1], ...args]; await import("./control.ts"); break;
  case "forgejo": await (await import("./forgejo.ts")).main(args); break;
  default:
    console.error(`usage: sovereign-fakes tailscaled|tailscale|control|forgejo ARGS...`);
    process.exit(2);
}
