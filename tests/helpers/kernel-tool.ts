// Runs inside a test network namespace: the real preflight probes, or a firewall apply.
import { applyFirewall } from "../../agent/firewall/apply.ts";
import { runPreflight } from "../../agent/kernel/preflight.ts";
import { realPreflightPort } from "../../agent/kernel/probes.ts";

const [mode, argJson] = process.argv.slice(2);
try {
  if (mode === "preflight") console.log(JSON.stringify(await runPreflight(realPreflightPort())));
  else if (mode === "fw") console.log(JSON.stringify({ result: await applyFirewall(JSON.parse(argJson)) }));
} catch (e) {
  console.log(JSON.stringify({ error: (e as Error).message }));
}
