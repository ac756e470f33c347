// `sovereign-agent kernel-check FILE`: read a kernel .config (plain, gzip, or /proc/config.gz) and
// report every required option: ok, missing, module-only (the guest loads no modules) or n/a.
import { readFileSync } from "node:fs";
import { REQUIREMENTS, type Requirement } from "../../kernel/requirements.ts";

export type OptStatus = "ok" | "missing" | "module" | "n/a";

/** One line of the report. */
export interface CheckLine { option: string; status: OptStatus; value: string; note: string }

/** A parsed .config: option → value, plus the kernel version and arch from its header. */
export interface KConfig { values: Map<string, string>; version?: string; arch?: "x86_64" | "arm64" }

/** Parse .config text. `# CONFIG_X is not set` becomes "n". */
export function parseKConfig(text: string): KConfig {
  const values = new Map<string, string>();
  let version: string | undefined, arch: KConfig["arch"];
  for (const line of text.split("\n")) {
    const m = /^CONFIG_(\w+)=(.*)$/.exec(line);
    if (m) { values.set(m[1], m[2]); continue; }
    const n = /^# CONFIG_(\w+) is not set$/.exec(line);
    if (n) { values.set(n[1], "n"); continue; }
    const h = /^# Linux\/(\S+) (\d+\.\d+(?:\.\d+)?)\S* Kernel Configuration/.exec(line);
    if (h) { version = h[2]; arch = h[1] === "arm64" ? "arm64" : h[1] === "x86" || h[1] === "x86_64" ? "x86_64" : undefined; }
  }
  if (!arch) arch = values.get("X86_64") === "y" ? "x86_64" : values.get("ARM64") === "y" ? "arm64" : undefined;
  return { values, version, arch };
}

/** Compare dotted versions: negative when a < b. */
export function cmpVersion(a: string, b: string): number {
  const x = a.split(".").map(Number), y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function applies(r: Requirement, k: KConfig): string | undefined {
  if (r.arch && k.arch && r.arch !== k.arch) return `only for ${r.arch}`;
  if (!k.version) return r.until || r.since ? "kernel version unknown; version-dependent option not checked" : undefined;
  if (r.until && cmpVersion(k.version, r.until) >= 0) return `not in ${k.version}: ${r.absentWhy ?? `removed in ${r.until}`}`;
  if (r.since && cmpVersion(k.version, r.since) < 0) return `not in ${k.version}: added in ${r.since}`;
  return undefined;
}

/** Check a parsed config against the requirements. */
export function checkKConfig(k: KConfig, reqs: readonly Requirement[] = REQUIREMENTS): CheckLine[] {
  return reqs.map((r) => {
    const skip = applies(r, k);
    if (skip) return { option: r.option, status: "n/a", value: k.values.get(r.option) ?? "", note: skip };
    const v = k.values.get(r.option);
    if (v === "y") return { option: r.option, status: "ok", value: v, note: "" };
    if (v === "m") return { option: r.option, status: "module", value: v, note: `built as a module, and the guest loads none: ${r.consequence}` };
    return { option: r.option, status: "missing", value: v ?? "", note: r.consequence };
  });
}

/** Read a config file: a path, "-" for stdin, gzip detected by magic (/proc/config.gz). */
export function readKConfigFile(path: string): string {
  const raw = path === "-" ? readFileSync(0) : readFileSync(path);
  return raw[0] === 0x1f && raw[1] === 0x8b ? new TextDecoder().decode(Bun.gunzipSync(raw)) : raw.toString("utf8");
}

/** Render the report; returns text and the exit code (1 when anything required is missing). */
export function renderKernelCheck(source: string, k: KConfig, lines: CheckLine[]): { text: string; code: number } {
  const bad = lines.filter((l) => l.status === "missing" || l.status === "module");
  const label: Record<OptStatus, string> = { ok: "ok", missing: "MISSING", module: "MODULE", "n/a": "n/a" };
  const w = Math.max(...lines.map((l) => l.option.length)) + 7;
  const out = [`kernel-check: ${source}: Linux ${k.version ?? "(version unknown)"} ${k.arch ?? "(arch unknown)"}`];
  for (const l of lines) out.push(`  ${label[l.status].padEnd(8)} ${`CONFIG_${l.option}`.padEnd(w)} ${l.status === "module" ? "=m: " : ""}${l.note}`);
  out.push(bad.length
    ? `result: ${bad.length} required option(s) missing or module-only; add them as =y to kernel/guest-*.config and rebuild (make kernel)`
    : `result: all ${lines.filter((l) => l.status === "ok").length} required options present`);
  return { text: out.join("\n"), code: bad.length ? 1 : 0 };
}
