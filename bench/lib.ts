// Small helpers for benchmarks: median timing and side-by-side ratio printing.

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Time `fn` n times (after one warm-up) and return the median in ms. */
export async function timeMedian(n: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

/** Print one measured row against a baseline: "name  12.3 ms  (4.1x baseline)". */
export function row(name: string, value: number, unit: string, baseline?: { name: string; value: number }): void {
  const ratio = baseline ? `  ${(value / baseline.value).toFixed(2)}x ${baseline.name}` : "";
  console.log(`  ${name.padEnd(56)} ${value.toFixed(2).padStart(9)} ${unit}${ratio}`);
}

/** Run a command to completion. */
export async function run(argv: string[]): Promise<void> {
  const p = Bun.spawn(argv, { stdout: "ignore", stderr: "ignore" });
  await p.exited;
}
