#!/usr/bin/env bun
// `make stop`: `poweroff` on each guest's console, wait for QEMU to exit, remove the network.
import { $, fs, path } from "zx";
import { GUESTS } from "../rootfs/vm.ts";

const RUN = path.resolve("out/run");
$.verbose = false;
for (const g of GUESTS) {
  const pidFile = path.join(RUN, `${g.role}.pid`);
  if (!fs.existsSync(pidFile)) continue;
  const pid = Number((await fs.readFile(pidFile, "utf8")).trim());
  const alive = () => fs.existsSync(`/proc/${pid}`);
  if (alive()) {
    const sock = await Bun.connect({ unix: path.join(RUN, `${g.role}-hvc.sock`), socket: { data() {} } }).catch(() => undefined);
    sock?.write("\x15poweroff\r");
    const until = Date.now() + 120_000;
    while (alive() && Date.now() < until) await Bun.sleep(200);
    if (alive()) { console.log(`stop: ${g.role} did not power off in 120 s; killing QEMU ${pid}`); process.kill(pid, "SIGKILL"); }
    else console.log(`stop: ${g.role} powered off`);
    sock?.end();
  }
  await fs.remove(pidFile);
}
await $`ip netns del sovereign-run`.nothrow();
console.log("stop: network removed");
