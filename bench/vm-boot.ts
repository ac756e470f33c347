// VM boot under QEMU (KVM where it works, else TCG: rootfs/vm.ts accelFor), per guest: guest start
// → service ready with the agent as init, against the shell-script init of bench/shell-init.ts
// doing the same steps on the same kernel, image and data disk. Informational: TCG timings vary.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../agent/config/load.ts";
import { scratch } from "../tests/helpers/env.ts";
import { waitFor } from "../tests/helpers/poll.ts";
import { Vm } from "../tests/helpers/qemu.ts";
import { accelFor, createNetwork, ensureConfigDisk, ensureDisk, GUESTS, qemuArgv } from "../rootfs/vm.ts";
import { median, row } from "./lib.ts";
import { renderShellInit } from "./shell-init.ts";

const ROOT = join(import.meta.dir, "..");
const KERNEL = join(ROOT, "out/kernel-x86_64/bzImage");
const image = (role: string) => join(ROOT, `out/images/${role}-x64.img`);
const SERVICE = { sql: "postgres", forgejo: "forgejo" } as const;
type Role = keyof typeof SERVICE;
const N = 3;

interface Ctx { dir: string; ns: string; config: string; shellImage: Record<Role, string> }

/** Boot one guest; returns the VM and ms from guest start (QEMU holds the CPU until hvc0 is connected) to the ready line. */
async function bootOnce(ctx: Ctx, role: Role, init: "agent" | "shell"): Promise<{ vm: Vm; ms: number }> {
  const g = GUESTS.find((x) => x.role === role)!;
  const name = `${role}-${init}-${Date.now()}`;
  const argv = qemuArgv({
    kernel: KERNEL, rootfs: init === "agent" ? image(role) : ctx.shellImage[role], data: join(ctx.dir, `data-${role}.img`), config: ctx.config,
    mac: g.mac, tap: g.tap, hvc: join(ctx.dir, `${name}-hvc.sock`), serial: join(ctx.dir, `${name}-serial.log`), wait: true, snapshot: true,
    cmdline: init === "shell" ? "init=/usr/sbin/bench-init" : "", // the last init= wins
  });
  const vm = await Vm.startArgv(argv, { name, dir: ctx.dir, netns: ctx.ns, timeoutS: 900 });
  const t0 = performance.now();
  const marker = init === "agent" ? `${SERVICE[role]}: ready after` : "bench: ready";
  const seen = await waitFor(`${name}: ${marker}`, () => vm.out.includes(marker) ? "ready" : vm.proc.exitCode !== null ? "exited" : null, 600_000, 10)
    .catch((e) => { vm.kill(); throw new Error(`${e.message}; hvc0 said:\n${vm.out.slice(-2000)}`); });
  if (seen === "exited") throw new Error(`boot ${name}: QEMU exited ${vm.proc.exitCode} before '${marker}' (see ${vm.log})`);
  return { vm, ms: performance.now() - t0 };
}

/** Stop a guest the way its init expects and wait for QEMU to exit. */
async function stop(vm: Vm, init: "agent" | "shell"): Promise<void> {
  vm.send(init === "agent" ? "\x15poweroff\r" : "stop\r");
  const code = await vm.exited(180_000);
  if (code !== 0) throw new Error(`stop guest ${vm.o.name}: QEMU exited ${code} (see ${vm.log})`);
}

/** Measure N boots of `role` with each init, alternating; returns medians. */
async function compare(ctx: Ctx, role: Role): Promise<{ agent: number; shell: number }> {
  const t: Record<"agent" | "shell", number[]> = { agent: [], shell: [] };
  for (let i = 0; i < N; i++) {
    for (const init of ["agent", "shell"] as const) {
      const b = await bootOnce(ctx, role, init);
      t[init].push(b.ms);
      await stop(b.vm, init);
    }
  }
  return { agent: median(t.agent), shell: median(t.shell) };
}

/** A copy of the role image with the baseline init at /usr/sbin/bench-init (the product image stays untouched). */
async function shellImage(dir: string, role: Role): Promise<string> {
  const c = loadConfig({ file: join(ROOT, `rootfs/${role}.toml`), cmdline: `sovereign.iface=${GUESTS.find((g) => g.role === role)!.mac}` });
  if (!c.config) throw new Error(`load config rootfs/${role}.toml: ${c.problems.join("; ")}`);
  const script = join(dir, `bench-init-${role}.sh`), img = join(dir, `${role}-shell.img`);
  writeFileSync(script, renderShellInit(c.config));
  const cp = Bun.spawnSync(["cp", "--sparse=always", image(role), img], { stderr: "pipe" });
  if (cp.exitCode !== 0) throw new Error(`copy ${image(role)}: ${cp.stderr.toString()}`);
  const cmds = join(dir, `debugfs-${role}.cmd`);
  writeFileSync(cmds, `cd /usr/sbin\nwrite ${script} bench-init\nsif bench-init mode 0100755\n`);
  const p = Bun.spawnSync(["debugfs", "-w", "-f", cmds, img], { stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`write /sbin/bench-init into ${img}: ${p.stderr.toString()}`);
  return img;
}

/** Run the VM boot benchmark. */
export async function benchVmBoot(): Promise<void> {
  if (!existsSync(KERNEL) || !existsSync(image("sql")) || !existsSync(image("forgejo"))) throw new Error("bench vm boot: kernel or images missing (run make vm-artifacts)");
  const dir = scratch("benchvm");
  const ns = `sv-benchvm-${process.pid}`;
  await createNetwork(ns);
  try {
    const config = await ensureConfigDisk(dir);
    for (const r of ["sql", "forgejo"] as const) await ensureDisk(join(dir, `data-${r}.img`), "sovereign-data", "2G");
    const ctx: Ctx = { dir, ns, config, shellImage: { sql: await shellImage(dir, "sql"), forgejo: await shellImage(dir, "forgejo") } };
    console.log(`vm boot (QEMU ${accelFor().why}, our x86-64 kernel; guest start → service ready; medians of ${N}):`);
    // First boots (initdb; Forgejo's admin user) with the agent: later boots of both inits reuse the data disks.
    const first = await bootOnce(ctx, "sql", "agent");
    row("sql first boot (agent; initdb) → postgres ready", first.ms, "ms");
    const fj = await bootOnce(ctx, "forgejo", "agent");
    row("forgejo first boot (agent; admin user) → forgejo ready", fj.ms, "ms");
    await stop(fj.vm, "agent");
    await stop(first.vm, "agent");
    const sql = await compare(ctx, "sql");
    row("sql: shell-script init → postgres ready", sql.shell, "ms");
    row("sql: agent → postgres ready", sql.agent, "ms", { name: "shell init", value: sql.shell });
    // Forgejo needs PostgreSQL on .2: keep an agent-run SQL guest up while it is measured.
    const db = await bootOnce(ctx, "sql", "agent");
    try {
      const f = await compare(ctx, "forgejo");
      row("forgejo: shell-script init → forgejo ready", f.shell, "ms");
      row("forgejo: agent → forgejo ready", f.agent, "ms", { name: "shell init", value: f.shell });
    } finally {
      await stop(db.vm, "agent");
    }
  } finally {
    Bun.spawnSync(["ip", "netns", "del", ns]);
  }
}
