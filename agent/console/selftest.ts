// Commands that prove the arch-specific FFI on a real kernel (the arm64 smoke test uses them):
// kernel-check on the running kernel, an rtnetlink round trip with an fwmark rule and a table-52
// route, and orphan reaping. The underscore ones need sovereign.debug_shell=1.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { errMsg } from "../errors.ts";
import { checkKConfig, parseKConfig, readKConfigFile, renderKernelCheck } from "../kernel/check.ts";
import { Rtnl } from "../netlink/rtnl.ts";
import { spawnChild } from "../proc/spawn.ts";
import type { AgentState } from "../state.ts";
import { registerCommand, type CmdResult } from "./commands.ts";

const needDebug = (st: AgentState, name: string): CmdResult | undefined =>
  st.config?.console.debug_shell ? undefined : { ok: false, text: `${name}: needs sovereign.debug_shell=1` };

/** Zombie children of this process, from /proc. */
function zombies(): number {
  let n = 0;
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = readFileSync(`/proc/${e}/stat`, "utf8");
      const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
      if (f[0] === "Z" && Number(f[1]) === process.pid) n++;
    } catch { /* gone */ }
  }
  return n;
}

/** Register kernel-check, _netlink-selftest and _reap-test. */
export function registerSelftests(reapedCount: () => number): void {
  registerCommand({
    name: "kernel-check", usage: "kernel-check [FILE]", summary: "required kernel options of the running kernel (/proc/config.gz)",
    run: (_st, a) => {
      const file = a[0] ?? "/proc/config.gz";
      if (!existsSync(file)) return { ok: false, text: `kernel-check: ${file} not found (CONFIG_IKCONFIG_PROC=y provides /proc/config.gz)` };
      const k = parseKConfig(readKConfigFile(file));
      const r = renderKernelCheck(file, k, checkKConfig(k));
      return { ok: r.code === 0, text: r.text };
    },
  });
  registerCommand({
    name: "_netlink-selftest", usage: "_netlink-selftest IFACE", summary: "debug: add, read back and delete an fwmark rule and a table-52 route", hidden: true,
    run: (st, a) => {
      const deny = needDebug(st, "_netlink-selftest");
      if (deny) return deny;
      const rtnl = new Rtnl();
      try {
        const link = rtnl.links().find((l) => l.name === (a[0] ?? "eth0"));
        if (!link) return { ok: false, text: `_netlink-selftest: no link ${a[0] ?? "eth0"}` };
        const rule = { priority: 5210, fwmark: 0x80000, fwmask: 0xff0000, table: 254 };
        const route = { dst: "10.52.0.0/24", table: 52, oif: link.index };
        rtnl.addRule(rule);
        rtnl.replaceRoute(route);
        const gotRule = rtnl.rules().find((r) => r.priority === 5210 && r.fwmark === 0x80000 && r.fwmask === 0xff0000 && r.table === 254);
        const gotRoute = rtnl.routes().find((r) => r.table === 52 && r.dst === "10.52.0.0/24" && r.oif === link.index);
        rtnl.delRule(rule);
        rtnl.delRoute(route);
        const ok = !!gotRule && !!gotRoute;
        return { ok, text: `fwmark rule ${gotRule ? "ok" : "MISSING"}: 5210: from all fwmark 0x80000/0xff0000 lookup main\ntable 52 route ${gotRoute ? "ok" : "MISSING"}: 10.52.0.0/24 dev ${link.name} table 52\n${ok ? "netlink selftest passed" : "netlink selftest FAILED"}` };
      } catch (e) {
        return { ok: false, text: `_netlink-selftest: ${errMsg(e)}` };
      } finally {
        rtnl.close();
      }
    },
  });
  registerCommand({
    name: "_reap-test", usage: "_reap-test", summary: "debug: make an orphan and check that PID 1 reaps it", hidden: true,
    run: async (st) => {
      const deny = needDebug(st, "_reap-test");
      if (deny) return deny;
      const before = reapedCount();
      const parent = spawnChild({ argv: [process.execPath, "_orphan-parent"], stdout: "ignore", stderr: "ignore" });
      await parent.exited;
      const until = Date.now() + 20_000;
      while (reapedCount() === before && Date.now() < until) await Bun.sleep(100);
      const z = zombies();
      const ok = reapedCount() > before && z === 0;
      return { ok, text: `orphans reaped: ${reapedCount() - before}; zombies left: ${z}` };
    },
  });
}
