// rtnetlink over bun:ffi against spawning `ip`, in a throwaway network namespace.
import { join } from "node:path";
import { row } from "./lib.ts";

async function sh(argv: string[]): Promise<string> {
  const p = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`run ${argv.join(" ")}: ${err}`);
  return out;
}

/** Run the netlink benchmarks. */
export async function benchNetlink(): Promise<void> {
  const ns = `sv-bench-${process.pid}`;
  await sh(["ip", "netns", "add", ns]);
  try {
    await sh(["ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0"]);
    await sh(["ip", "-n", ns, "link", "set", "peer0", "up"]);
    const out = await sh(["ip", "netns", "exec", ns, join(import.meta.dir, "../node_modules/.bin/bun"), join(import.meta.dir, "netlink-inner.ts")]);
    const r = JSON.parse(out.trim().split("\n").pop()!);
    console.log("netlink (in a throwaway netns):");
    row("100 addr add/del pairs: spawn `ip`", r.ipCmd, "ms");
    row("100 addr add/del pairs: bun:ffi netlink", r.ffi, "ms", { name: "ip", value: r.ipCmd });
    console.log(`  ratio: netlink is ${(r.ipCmd / r.ffi).toFixed(0)}x faster than spawning ip`);
    row("network phase (ip script), median of 10", r.script, "ms");
    row("network phase (agent: plan + netlink + sysctls)", r.phase, "ms", { name: "script", value: r.script });
    console.log(`  ratio: the agent's phase is ${(r.script / r.phase).toFixed(1)}x faster than the script`);
  } finally {
    await sh(["ip", "netns", "del", ns]);
  }
}
