// The phone: a namespace holding bridge br0 192.168.100.1/24, with one veth per guest namespace.
import { NetNs } from "./netns.ts";

/** Phone namespace plus guest namespaces attached to its bridge. */
export class Phone {
  readonly guests: NetNs[] = [];
  private constructor(readonly ns: NetNs) {}

  /** Create the phone namespace with br0 = 192.168.100.1/24. */
  static async create(): Promise<Phone> {
    const ns = await NetNs.create("phone");
    await ns.ip("link", "add", "br0", "type", "bridge");
    await ns.ip("addr", "add", "192.168.100.1/24", "dev", "br0");
    await ns.ip("link", "set", "br0", "up");
    return new Phone(ns);
  }

  /** A guest namespace whose eth0 (down, unconfigured: the agent's job) is a port of br0. */
  async attach(label: string, mac: string): Promise<NetNs> {
    const g = await NetNs.create(label);
    const port = `v${label.slice(0, 6)}${this.guests.length}`;
    await this.ns.ip("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", g.name);
    await this.ns.ip("link", "set", port, "master", "br0", "up");
    await g.ip("link", "set", "eth0", "address", mac);
    this.guests.push(g);
    return g;
  }

  /** Delete every namespace. */
  async del(): Promise<void> {
    for (const g of this.guests) await g.del();
    await this.ns.del();
  }
}
