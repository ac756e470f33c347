// The SO_MARK diagnostic: a socket marked like tailscaled's reaches the LAN peer through rule 5210
// (lookup main); without that rule it falls to 5250 unreachable.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { IS_ROOT, NEED_ROOT, ROOT } from "../helpers/env.ts";
import { NetNs } from "../helpers/netns.ts";
import { waitFor } from "../helpers/poll.ts";

const BUN = join(ROOT, "node_modules/.bin/bun");
const probe = async (ns: NetNs) => JSON.parse((await ns.exec([BUN, "-e", `import { markedConnect } from "${join(ROOT, "agent/net/markprobe.ts")}"; console.log(JSON.stringify(markedConnect("192.168.100.3", 3000)));`])).trim());

describe.skipIf(!IS_ROOT)(`netns: SO_MARK probe ${IS_ROOT ? "" : NEED_ROOT}`, () => {
  let a: NetNs, b: NetNs, server: Subprocess;
  beforeAll(async () => {
    a = await NetNs.create("marka");
    b = await NetNs.create("markb");
    await a.ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", b.name);
    await a.ip("addr", "add", "192.168.100.2/24", "dev", "eth0");
    await b.ip("addr", "add", "192.168.100.3/24", "dev", "eth0");
    await a.ip("link", "set", "eth0", "up");
    await b.ip("link", "set", "eth0", "up");
    server = Bun.spawn(["ip", "netns", "exec", b.name, BUN, join(ROOT, "tests/helpers/echo-server.ts"), "3000", "peer"], { stdout: "pipe" });
    await waitFor("peer listening", async () => (await a.exec([BUN, join(ROOT, "tests/helpers/tcp-probe.ts"), "192.168.100.3", "3000"])).includes('"ok":true'));
    // tailscaled's rules (reference/tailscale.md §1), with table 52 claiming nothing of the LAN
    await a.ip("rule", "add", "pref", "5210", "fwmark", "0x80000/0xff0000", "table", "main");
    await a.ip("rule", "add", "pref", "5230", "fwmark", "0x80000/0xff0000", "table", "default");
    await a.ip("rule", "add", "pref", "5250", "fwmark", "0x80000/0xff0000", "type", "unreachable");
    await a.ip("rule", "add", "pref", "5270", "table", "52");
  });
  afterAll(async () => { server?.kill(); await server?.exited; await a?.del(); await b?.del(); });

  test("passes with tailscaled's rules", async () => {
    expect(await probe(a)).toEqual({ target: "192.168.100.3:3000", routed: true, open: true, detail: "connected with mark 0x80000" });
  });

  test("fails when the main-table bypass rule (5210) is removed", async () => {
    await a.ip("rule", "del", "pref", "5210");
    const r = await probe(a);
    expect(r.routed).toBe(false);
    expect(r.detail).toBe("connect to 192.168.100.3:3000 with mark 0x80000: ENETUNREACH (network unreachable)");
  });
});
