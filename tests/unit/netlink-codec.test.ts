// Golden bytes for every message the agent sends, each with the equivalent `ip` command.
import { describe, expect, test } from "bun:test";
import { MsgWriter, NetlinkDecodeError, parseAttrs, parseMessages } from "../../agent/netlink/codec.ts";
import { FR_ACT } from "../../agent/netlink/constants.ts";
import { addrMsg, decodeAddr, decodeRule, getAddrsMsg, getLinksMsg, getRoutesMsg, getRulesMsg, routeMsg, ruleMsg, setLinkMsg } from "../../agent/netlink/messages.ts";
import { NetlinkError, NetlinkSocket, type NlTransport } from "../../agent/netlink/socket.ts";

const hex = (m: MsgWriter) => Buffer.from(m.finish(1)).toString("hex");
const h = (s: string) => s.replace(/[\s|]/g, "");
// nlmsghdr tail shared by all: seq=1, pid=0
const SEQ = "01000000 00000000";

describe("golden request bytes", () => {
  const cases: { ip: string; msg: () => MsgWriter; want: string }[] = [
    { ip: "ip link show", msg: getLinksMsg, want: `20000000 1200 0103 ${SEQ} | 00 00 0000 00000000 00000000 00000000` },
    { ip: "ip -4 addr show", msg: () => getAddrsMsg(), want: `18000000 1600 0103 ${SEQ} | 02 00 00 00 00000000` },
    { ip: "ip -4 route show table all", msg: () => getRoutesMsg(), want: `1c000000 1a00 0103 ${SEQ} | 02 00 00 00 00 00 00 00 00000000` },
    { ip: "ip -4 rule show", msg: () => getRulesMsg(), want: `1c000000 2200 0103 ${SEQ} | 02 00 00 00 00 00 00 00 00000000` },
    {
      ip: "ip link set dev eth0 up mtu 1400   (ifindex 3)", msg: () => setLinkMsg(3, { up: true, mtu: 1400 }),
      want: `28000000 1000 0500 ${SEQ} | 00 00 0000 03000000 01000000 01000000 | 0800 0400 78050000`,
    },
    {
      ip: "ip addr add 192.168.100.2/24 dev eth0 nodad", msg: () => addrMsg(true, 3, "192.168.100.2", 24),
      want: `30000000 1400 0506 ${SEQ} | 02 18 02 00 03000000 | 0800 0200 c0a86402 | 0800 0100 c0a86402 | 0800 0800 02000000`,
    },
    {
      ip: "ip addr del 192.168.100.2/24 dev eth0", msg: () => addrMsg(false, 3, "192.168.100.2", 24),
      want: `28000000 1500 0500 ${SEQ} | 02 18 00 00 03000000 | 0800 0200 c0a86402 | 0800 0100 c0a86402`,
    },
    {
      ip: "ip addr add 127.0.0.2/8 dev lo   (127/8 needs scope host)", msg: () => addrMsg(true, 1, "127.0.0.2", 8),
      want: `30000000 1400 0506 ${SEQ} | 02 08 02 fe 01000000 | 0800 0200 7f000002 | 0800 0100 7f000002 | 0800 0800 02000000`,
    },
    {
      ip: "ip route replace default via 192.168.100.1 dev eth0 proto static", msg: () => routeMsg("replace", { dst: "default", table: 254, gateway: "192.168.100.1", oif: 3 }),
      want: `34000000 1800 0505 ${SEQ} | 02 00 00 00 fe 04 00 01 00000000 | 0800 0500 c0a86401 | 0800 0400 03000000 | 0800 0f00 fe000000`,
    },
    {
      ip: "ip route replace 192.168.100.0/24 dev tun0 table 52 proto static scope link", msg: () => routeMsg("replace", { dst: "192.168.100.0/24", table: 52, oif: 5 }),
      want: `34000000 1800 0505 ${SEQ} | 02 18 00 00 34 04 fd 01 00000000 | 0800 0100 c0a86400 | 0800 0400 05000000 | 0800 0f00 34000000`,
    },
    {
      ip: "ip route replace 10.0.0.0/8 via 10.0.0.1 table 1000   (table > 255: rtm_table = COMPAT)", msg: () => routeMsg("replace", { dst: "10.0.0.0/8", table: 1000, gateway: "10.0.0.1" }),
      want: `34000000 1800 0505 ${SEQ} | 02 08 00 00 fc 04 00 01 00000000 | 0800 0100 0a000000 | 0800 0500 0a000001 | 0800 0f00 e8030000`,
    },
    {
      ip: "ip route del default table 254", msg: () => routeMsg("delete", { dst: "default", table: 254 }),
      want: `24000000 1900 0500 ${SEQ} | 02 00 00 00 fe 00 ff 01 00000000 | 0800 0f00 fe000000`,
    },
    {
      ip: "ip rule add to 192.168.100.0/24 lookup main pref 5200   (the LAN guard)", msg: () => ruleMsg("add", { priority: 5200, dst: "192.168.100.0/24", table: 254 }),
      want: `34000000 2000 0506 ${SEQ} | 02 18 00 00 fe 00 00 01 00000000 | 0800 0100 c0a86400 | 0800 0600 50140000 | 0800 0f00 fe000000`,
    },
    {
      ip: "ip rule del to 192.168.100.0/24 lookup main pref 5200", msg: () => ruleMsg("delete", { priority: 5200, dst: "192.168.100.0/24", table: 254 }),
      want: `34000000 2100 0500 ${SEQ} | 02 18 00 00 fe 00 00 01 00000000 | 0800 0100 c0a86400 | 0800 0600 50140000 | 0800 0f00 fe000000`,
    },
    {
      ip: "ip rule add fwmark 0x80000/0xff0000 lookup main pref 5210", msg: () => ruleMsg("add", { priority: 5210, fwmark: 0x80000, fwmask: 0xff0000, table: 254 }),
      want: `3c000000 2000 0506 ${SEQ} | 02 00 00 00 fe 00 00 01 00000000 | 0800 0600 5a140000 | 0800 0a00 00000800 | 0800 1000 0000ff00 | 0800 0f00 fe000000`,
    },
    {
      ip: "ip rule add fwmark 0x80000/0xff0000 unreachable pref 5250", msg: () => ruleMsg("add", { priority: 5250, fwmark: 0x80000, fwmask: 0xff0000, action: FR_ACT.UNREACHABLE }),
      want: `34000000 2000 0506 ${SEQ} | 02 00 00 00 00 00 00 07 00000000 | 0800 0600 82140000 | 0800 0a00 00000800 | 0800 1000 0000ff00`,
    },
  ];
  for (const c of cases) test(c.ip, () => expect(hex(c.msg())).toBe(h(c.want)));

  test("nested attributes get their lengths patched", () => {
    const m = new MsgWriter(16, 5).u32(0).nest(18).attrStr(1, "veth").nest(2).attrU32(7, 9).end().end();
    // IFLA_LINKINFO(18) len 4 + 12 ("veth\0" padded) + 4 + 8 = 28; INFO_DATA(2) len 12
    expect(Buffer.from(m.finish(1)).toString("hex")).toBe(h(`30000000 1000 0500 ${SEQ} | 00000000 | 1c00 1200 | 0900 0100 7665746800 000000 | 0c00 0200 | 0800 0700 09000000`));
  });
});

describe("decoding", () => {
  test("a rule message round-trips through the decoder", () => {
    const bytes = ruleMsg("add", { priority: 5210, fwmark: 0x80000, fwmask: 0xff0000, table: 254 }).finish(9);
    const [m] = parseMessages(bytes);
    expect(decodeRule(m)).toEqual({ family: 2, priority: 5210, table: 254, action: 1, fwmark: 0x80000, fwmask: 0xff0000 });
  });

  test("unknown attributes are kept", () => {
    const b = new MsgWriter(20, 0).u8(2).u8(24).u8(0).u8(0).u32(3).attrIp4(2, "10.0.0.2").attr(999, new Uint8Array([1, 2, 3])).finish(1);
    const [m] = parseMessages(b);
    expect([...parseAttrs(m.body, 8).keys()]).toEqual([2, 999]);
    expect(decodeAddr(m).local).toBe("10.0.0.2");
  });

  test("malformed lengths give a typed error, not a crash", () => {
    const good = getLinksMsg().finish(1);
    const bad = good.slice(); new DataView(bad.buffer).setUint32(0, 9999, true);
    expect(() => parseMessages(bad)).toThrow(NetlinkDecodeError);
    const badAttr = new MsgWriter(20, 0).u8(2).u8(24).u8(0).u8(0).u32(3).attrIp4(2, "10.0.0.2").finish(1);
    new DataView(badAttr.buffer).setUint16(24, 200, true);
    expect(() => decodeAddr(parseMessages(badAttr)[0])).toThrow("decode netlink reply: attribute 2 at offset 8 claims length 200");
  });
});

class FakeTransport implements NlTransport {
  sent: Uint8Array[] = [];
  constructor(private readonly reply: (seq: number) => Uint8Array) {}
  send(b: Uint8Array) { this.sent.push(b); }
  recv() { return this.reply(new DataView(this.sent[this.sent.length - 1].buffer).getUint32(8, true)); }
  close() {}
}

const errReply = (seq: number, errno: number) => {
  const m = new MsgWriter(2, 0).i32(-errno).u32(0).u32(0).u32(0).u32(0).u32(0);
  return m.finish(seq);
};

describe("socket layer", () => {
  test("kernel errors become typed NetlinkErrors naming the operation and errno", () => {
    const s = new NetlinkSocket(new FakeTransport((seq) => errReply(seq, 17)));
    let err: any;
    try { s.request(addrMsg(true, 3, "10.0.0.2", 24), "add address 10.0.0.2/24 to eth0"); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe("EEXIST");
    expect(err.message).toBe("add address 10.0.0.2/24 to eth0: EEXIST (already exists)");
  });

  test("an ACK ends a request; replies with a stale sequence number are skipped", () => {
    const s = new NetlinkSocket(new FakeTransport((seq) => Buffer.concat([errReply(seq - 1, 1), errReply(seq, 0)])));
    expect(s.request(addrMsg(true, 3, "10.0.0.2", 24), "x")).toEqual([]);
    expect(s.writes).toBe(1);
  });

  test("a truncated reply is a decode error carrying the operation", () => {
    const s = new NetlinkSocket(new FakeTransport(() => new Uint8Array([40, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])));
    expect(() => s.request(getLinksMsg(), "list links")).toThrow("decode netlink reply: list links: message at offset 0 claims length 40, 18 bytes left");
  });
});
