import { describe, expect, test } from "bun:test";
import { isOomRecord } from "../../agent/sys/kmsg.ts";

describe("OOM detection", () => {
  test("recognizes the kernel's OOM records for the right pid only", () => {
    expect(isOomRecord("3,1234,5678,-;Out of memory: Killed process 321 (postgres) total-vm:100kB", 321)).toBe(true);
    expect(isOomRecord("6,1,2,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=postgres,pid=321,uid=101", 321)).toBe(true);
    expect(isOomRecord("3,1234,5678,-;Out of memory: Killed process 3210 (postgres)", 321)).toBe(false);
    expect(isOomRecord("6,1,2,-;postgres[321]: segfault", 321)).toBe(false);
  });
});
