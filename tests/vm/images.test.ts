// VM tier: both role images boot under QEMU on our kernel (rootfs from mmdebstrap, agent as PID 1
// via the init stub), on a private bridge, for x86-64 and for arm64 (the phone's architecture, on
// QEMU's virt board). Asserts over hvc0: boot phases, services ready, Forgejo reaching PostgreSQL, a
// clean poweroff, and (x86-64, the costlier case under TCG) committed rows surviving a hard kill.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IS_ROOT, NEED_ROOT, ROOT, scratch } from "../helpers/env.ts";
import { clean } from "../helpers/console.ts";
import { NetNs } from "../helpers/netns.ts";
import { waitFor } from "../helpers/poll.ts";
import { Vm } from "../helpers/qemu.ts";
import { BUN } from "../helpers/tailnet.ts";
import { createNetwork, ensureConfigDisk, ensureDisk, GUESTS, qemuArgv } from "../../rootfs/vm.ts";

type Arch = "x86_64" | "arm64";
const SUFFIX: Record<Arch, string> = { x86_64: "x64", arm64: "arm64" };
const kernelOf = (arch: Arch) => join(ROOT, arch === "arm64" ? "out/kernel-arm64/Image" : "out/kernel-x86_64/bzImage");
const imageOf = (arch: Arch, role: string) => join(ROOT, `out/images/${role}-${SUFFIX[arch]}.img`);
const built = (arch: Arch) => existsSync(kernelOf(arch)) && GUESTS.every((g) => existsSync(imageOf(arch, g.role)));

/** Boot one role image; rootfs in snapshot mode so the built image stays pristine. */
async function boot(arch: Arch, role: "sql" | "forgejo", dir: string, ns: string, config: string): Promise<Vm> {
  const g = GUESTS.find((x) => x.role === role)!;
  const data = join(dir, `data-${role}.img`);
  await ensureDisk(data, "sovereign-data", "2G");
  const name = `${role}-${Date.now()}`;
  const argv = qemuArgv({ arch, kernel: kernelOf(arch), rootfs: imageOf(arch, role), data, config, mac: g.mac, tap: g.tap, hvc: join(dir, `${name}-hvc.sock`), serial: join(dir, `${name}-serial.log`), wait: true, snapshot: true, cmdline: "sovereign.debug_shell=1" });
  return Vm.startArgv(argv, { name, dir, netns: ns, timeoutS: 900 });
}

const prompt = (role: string) => `sovereign-${role}> `;
const statusOf = async (vm: Vm, role: string) => JSON.parse(clean(await vm.command("status --json", prompt(role), 60_000)).replace(/^status --json\n/, ""));

for (const arch of ["x86_64", "arm64"] as const) {
  describe.skipIf(!IS_ROOT || !built(arch))(`${arch} VM images under QEMU ${!IS_ROOT ? NEED_ROOT : built(arch) ? "" : "SKIPPED: images missing (make vm-artifacts; make test does it)"}`, () => {
    const NS = `sv-vm-${arch}-${process.pid}`;
    let dir: string, config: string, sql: Vm, fj: Vm, host: NetNs;
    const pw = () => readFileSync(join(dir, "config/forgejo-db.password"), "utf8").trim();
    const pg = async (q: string) => JSON.parse((await host.exec(["env", `PGPASSWORD=${pw()}`, BUN, join(ROOT, "tests/helpers/pg-tool.ts"), "query", "192.168.100.2", "5432", "forgejo", "forgejo", q])).trim());

    beforeAll(async () => {
      dir = scratch(`vm-${arch}`);
      await createNetwork(NS);
      host = NetNs.existing(NS);
      config = await ensureConfigDisk(dir);
      [sql, fj] = await Promise.all([boot(arch, "sql", dir, NS, config), boot(arch, "forgejo", dir, NS, config)]);
    }, 120_000);
    afterAll(async () => { for (const v of [sql, fj]) if (v && v.proc.exitCode === null) v.kill(); await host?.del(); });

    test("both guests boot: every phase ok, services ready", async () => {
      for (const [vm, role, svc] of [[sql, "sql", "postgres"], [fj, "forgejo", "forgejo"]] as const) {
        await vm.expect("agent: boot finished", 0, 240_000);
        const ready = await waitFor(`${role}: ${svc} ready`, async () => { const s = await statusOf(vm, role); return s.services.find((x: any) => x.name === svc)?.state === "ready" ? s : null; }, 300_000, 2000);
        expect(ready.pid1).toBe(true);
        expect(ready.boot.phases.filter((p: any) => !p.ok)).toEqual([]);
        expect(ready.boot.phases.find((p: any) => p.name === "disks").note).toContain("data disk /dev/vdb (sovereign-data) on /var/lib/sovereign");
      }
      expect(sql.serial()).toContain("TEST IMAGE: tailscaled, tailscale are TEST DOUBLES");
      // the guest really runs the image's architecture (QEMU's arm64 virt board names itself)
      if (arch === "arm64") expect(sql.serial()).toContain("Machine model: linux,dummy-virt");
    }, 600_000);

    test("the Forgejo stand-in on .3 reaches PostgreSQL on .2", async () => {
      expect((await pg("SELECT count(*)::int AS n FROM fake_forgejo_boot")).rows[0].n).toBeGreaterThanOrEqual(1);
      expect(clean(await fj.command("diag", prompt("forgejo"), 60_000))).toMatch(/^PASS  so_mark:192\.168\.100\.2:5432 /m);
    }, 120_000);

    // x86-64 only: under TCG the arm64 guests are slower, and the crash path is architecture-neutral
    if (arch === "x86_64") test("hard kill of the SQL VM during an insert loop, then reboot: every committed row is present", async () => {
      const ids = join(dir, "ids"), stop = join(dir, "stop");
      const loop = Bun.spawn(["ip", "netns", "exec", NS, "env", `PGPASSWORD=${pw()}`, BUN, join(ROOT, "tests/helpers/pg-tool.ts"), "loop", "192.168.100.2", "5432", "forgejo", "forgejo", ids, stop], { stdout: "pipe" });
      await waitFor("rows committed", () => existsSync(ids) && readFileSync(ids, "utf8").split("\n").length > 30, 120_000, 200);
      sql.kill();
      await sql.exited();
      writeFileSync(stop, "");
      const t = setTimeout(() => loop.kill("SIGKILL"), 15_000);
      await loop.exited;
      clearTimeout(t);
      const committed = readFileSync(ids, "utf8").trim().split("\n").map(Number);
      sql = await boot(arch, "sql", dir, NS, config);
      await waitFor("postgres ready after reboot", async () => (await statusOf(sql, "sql").catch(() => null))?.services.find((x: any) => x.name === "postgres")?.state === "ready", 300_000, 2000);
      expect(sql.serial()).not.toContain("first boot: initdb");
      const have = new Set((await pg("SELECT id FROM crashloop")).rows.map((r: any) => r.id));
      expect(committed.filter((id) => !have.has(id))).toEqual([]);
    }, 600_000);

    test("poweroff: both QEMUs exit 0, PostgreSQL logs 'database system is shut down'", async () => {
      sql.send("\x15poweroff\r");
      fj.send("\x15poweroff\r");
      expect(await sql.exited(180_000)).toBe(0);
      expect(await fj.exited(180_000)).toBe(0);
      expect(sql.serial()).toMatch(/postgres: stopped \(exited with status 0\); last output: .*database system is shut down/);
      expect(sql.serial()).toContain("reboot: Power down");
    }, 400_000);
  });
}
