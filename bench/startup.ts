// Agent start-up: spawn → first boot phase logged, and idle RSS after boot, against `true` and `node -e 0`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { median, row, run, timeMedian } from "./lib.ts";

const AGENT = join(import.meta.dir, "..", "out", "sovereign-agent-x64");
const N = 10;

async function agentOnce(dir: string): Promise<{ ms: number; rssKb: number }> {
  const t0 = performance.now();
  const p = Bun.spawn(["unshare", "--pid", "--fork", "--mount", "--net", "--uts", "--mount-proc", AGENT, "init", "--config", join(dir, "a.toml"), "--socket", join(dir, "a.sock"), "--cmdline", "sovereign.console.enabled=0 sovereign.data.enabled=0"], { stdout: "pipe", stderr: "ignore" });
  let ms = 0, buf = "";
  const dec = new TextDecoder();
  for await (const chunk of p.stdout) {
    buf += dec.decode(chunk);
    if (!ms && buf.includes("phase mounts")) ms = performance.now() - t0;
    if (buf.includes("boot finished")) break;
  }
  const kid = Number(readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, "utf8").trim().split(/\s+/)[0]);
  await Bun.sleep(500); // let the idle agent settle before reading RSS
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${kid}/status`, "utf8"))![1]);
  process.kill(kid, "SIGTERM");
  await p.exited;
  return { ms, rssKb };
}

/** Run the start-up benchmark. */
export async function benchStartup(): Promise<void> {
  const dir = mkdtempSync("/var/tmp/sovereign-bench-");
  writeFileSync(join(dir, "a.toml"), `role = "sql"\n[log]\nkmsg = false\n[net]\nenabled = false\n[tailscale]\nenabled = false\n`);
  const runs = [];
  for (let i = 0; i < N; i++) runs.push(await agentOnce(dir));
  rmSync(dir, { recursive: true, force: true });
  const tTrue = await timeMedian(N, () => run(["/bin/true"]));
  const tNode = await timeMedian(N, () => run(["node", "-e", "0"]));
  const tAgent = median(runs.map((r) => r.ms));
  console.log(`startup (median of ${N}; agent = spawn in fresh namespaces → "phase mounts" logged):`);
  row("/bin/true (spawn → exit)", tTrue, "ms");
  row("node -e 0 (spawn → exit)", tNode, "ms");
  row("sovereign-agent init → first phase", tAgent, "ms", { name: "true", value: tTrue });
  row("", tAgent, "ms", { name: "node -e 0", value: tNode });
  const rss = median(runs.map((r) => r.rssKb)) / 1024;
  const nodeRss = await idleRss(["node", "-e", "setTimeout(() => {}, 1e9)"]);
  const sleepRss = await idleRss(["/bin/sleep", "1000"]);
  console.log("idle RSS after boot:");
  row("sleep (idle)", sleepRss, "MiB");
  row("node (idle timer)", nodeRss, "MiB");
  row("sovereign-agent (booted, no services)", rss, "MiB", { name: "node", value: nodeRss });
}

async function idleRss(argv: string[]): Promise<number> {
  const p = Bun.spawn(argv, { stdout: "ignore" });
  await Bun.sleep(500);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, "utf8"))![1]);
  p.kill();
  await p.exited;
  return kb / 1024;
}
