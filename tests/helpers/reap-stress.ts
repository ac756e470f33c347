// Run as PID 1 of a pid namespace (unshare --pid --fork --mount-proc bun reap-stress.ts):
// orphans and supervised children at once, through the real spawn wrapper and reaper. Prints JSON.
import { readdirSync, readFileSync } from "node:fs";
import { Reaper } from "../../agent/proc/reaper.ts";
import { spawnChild } from "../../agent/proc/spawn.ts";
import { waitFor } from "./poll.ts";

const ORPHANS = 200, CHILDREN = 320;
const reaper = new Reaper();
reaper.start(20);
const zombies = () => readdirSync("/proc").filter((e) => /^\d+$/.test(e)).filter((e) => {
  try { const s = readFileSync(`/proc/${e}/stat`, "utf8"); return s.slice(s.lastIndexOf(")") + 2)[0] === "Z"; } catch { return false; }
}).length;

// 200 orphans: sh starts them in the background and exits at once, so they re-parent to us.
const orphanMaker = spawnChild({ argv: ["/bin/sh", "-c", `i=0; while [ $i -lt ${ORPHANS} ]; do (sleep 0.3 &) ; i=$((i+1)); done; exit 0`], stdout: "ignore", stderr: "ignore" });
// Meanwhile 320 supervised children with known exit statuses: 0..255 and signal deaths.
const sigs: [string, number][] = [["TERM", 143], ["KILL", 137], ["INT", 130], ["QUIT", 131], ["USR1", 138], ["HUP", 129]];
const jobs = Array.from({ length: CHILDREN }, (_, i) => {
  const useSig = i >= 256;
  const [sig, want] = useSig ? sigs[i % sigs.length] : ["", i];
  const c = spawnChild({ argv: ["/bin/sh", "-c", useSig ? `kill -${sig} $$` : `exit ${i}`], stdout: "ignore", stderr: "ignore" });
  return c.exited.then((x) => (x.status === want ? 0 : 1));
});
let errors = "";
process.on("uncaughtException", (e) => { errors += String(e) + "\n"; });
const wrong = (await Promise.all(jobs)).reduce((a: number, b: number) => a + b, 0);
await orphanMaker.exited;
// at the deadline, report what was reached: the test asserts the numbers
await waitFor("orphans reaped, no zombies", () => reaper.reaped >= ORPHANS && zombies() === 0, 20_000, 20).catch(() => undefined);
console.log(JSON.stringify({ children: CHILDREN, wrong, orphansReaped: reaper.reaped, zombies: zombies(), errors }));
process.exit(0);
