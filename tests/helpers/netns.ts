// Throwaway network namespaces for privileged tests. Nothing here touches the host's own namespace:
// every command runs with `ip -n NS` or `ip netns exec NS`.
import { join } from "node:path";
import { ROOT } from "./env.ts";

let counter = 0;

/** Run a command; throws with its stderr when it fails. */
export async function sh(argv: string[], okCodes = [0]): Promise<string> {
  const p = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (!okCodes.includes(code)) throw new Error(`run ${argv.join(" ")}: exit ${code}: ${err.trim()}`);
  return out;
}

/** A named network namespace, deleted by `del()`. */
export class NetNs {
  private constructor(readonly name: string) {}
  /** Create a namespace with lo up. */
  static async create(prefix: string): Promise<NetNs> {
    const name = `sv-${prefix}-${process.pid}-${++counter}`;
    await sh(["ip", "netns", "add", name]);
    await sh(["ip", "-n", name, "link", "set", "lo", "up"]);
    return new NetNs(name);
  }
  /** Wrap a namespace someone else created (deleted by `del()` all the same). */
  static existing(name: string): NetNs { return new NetNs(name); }
  /** `ip -n NS ARGS...` */
  ip(...args: string[]): Promise<string> { return sh(["ip", "-n", this.name, ...args]); }
  /** `ip -n NS -j ARGS...`, parsed. */
  async ipj(...args: string[]): Promise<any[]> { return JSON.parse((await sh(["ip", "-n", this.name, "-j", ...args])) || "[]"); }
  /** Run a command inside the namespace. */
  exec(argv: string[], okCodes = [0]): Promise<string> { return sh(["ip", "netns", "exec", this.name, ...argv], okCodes); }
  /** Run tests/helpers/net-tool.ts inside the namespace and parse its JSON. */
  async tool(mode: string, arg: unknown = null, prefix: string[] = []): Promise<any> {
    const out = await this.exec([...prefix, join(ROOT, "node_modules/.bin/bun"), join(ROOT, "tests/helpers/net-tool.ts"), mode, JSON.stringify(arg)]);
    return JSON.parse(out.trim().split("\n").pop()!);
  }
  /** Delete the namespace. */
  async del(): Promise<void> { await sh(["ip", "netns", "del", this.name], [0, 1]); }
}
