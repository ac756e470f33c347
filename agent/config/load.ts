// Config loading: built-in role defaults < TOML file < kernel cmdline, validated in one place.
import { existsSync, readFileSync } from "node:fs";
import { errMsg } from "../errors.ts";
import { parseCmdline } from "./cmdline.ts";
import { KEYS, ROLES, roleDefaults, type AgentConfig, type Role } from "./schema.ts";
import { coerce, setPath, validate } from "./validate.ts";

/** Where the default config file lives inside the guest. */
export const DEFAULT_CONFIG_PATH = "/etc/sovereign/agent.toml";

/** Result of loading: a config, or the problems that prevented one. */
export interface LoadResult {
  config?: AgentConfig;
  problems: string[];
  file?: string; // the file actually read, if any
}

/** Inputs to loadConfig; all optional so tests and config-check can pass exactly what they have. */
export interface LoadInput {
  file?: string;        // explicit --config path (must exist)
  cmdline?: string;     // kernel command line text
  fileText?: string;    // TOML text instead of reading `file` (tests)
}

/** Parse TOML text into a plain object, or a problem line. */
export function parseToml(text: string, name: string): { value?: Record<string, unknown>; problem?: string } {
  try {
    return { value: Bun.TOML.parse(text) as Record<string, unknown> };
  } catch (e) {
    return { problem: `${name}: invalid TOML: ${errMsg(e).replace(/^TOML Parse error: /, "")}` };
  }
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = b && typeof b === "object" && !Array.isArray(b) && v && typeof v === "object" && !Array.isArray(v)
      ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** Load and validate the effective config. Never throws: problems come back as lines. */
export function loadConfig(input: LoadInput): LoadResult {
  const problems: string[] = [];
  const cmd = parseCmdline(input.cmdline ?? "");
  problems.push(...cmd.problems);
  const path = input.file ?? cmd.configPath ?? DEFAULT_CONFIG_PATH;
  let fileObj: Record<string, unknown> = {};
  let file: string | undefined;
  let text = input.fileText;
  if (text === undefined) {
    const explicit = input.file !== undefined || cmd.configPath !== undefined;
    if (existsSync(path)) {
      try { text = readFileSync(path, "utf8"); file = path; } catch (e) { problems.push(`${path}: cannot read: ${errMsg(e)}`); }
    } else if (explicit) {
      problems.push(`${path}: config file not found (check --config or sovereign.config)`);
    }
  } else {
    file = input.file ?? "agent.toml";
  }
  if (text !== undefined) {
    const parsed = parseToml(text, file ?? path);
    if (parsed.problem) return { problems: [...problems, parsed.problem], file };
    fileObj = parsed.value!;
  }
  const role = (cmd.values.get("role") ?? fileObj.role) as Role | undefined;
  if (role === undefined) {
    problems.push(`role: missing (set role = "sql" or "forgejo" in ${DEFAULT_CONFIG_PATH}, or sovereign.role= on the kernel cmdline)`);
    return { problems, file };
  }
  if (!ROLES.includes(role)) {
    problems.push(`role: ${JSON.stringify(role)} is not allowed (want one of: ${ROLES.join(", ")})`);
    return { problems, file };
  }
  const merged = deepMerge(roleDefaults(role), fileObj);
  // tailscale.hostname follows hostname unless set explicitly.
  const ts = (fileObj.tailscale ?? {}) as Record<string, unknown>;
  if (ts.hostname === undefined && fileObj.hostname !== undefined) setPath(merged, "tailscale.hostname", fileObj.hostname);
  for (const [key, raw] of cmd.values) {
    setPath(merged, key, coerce(raw, KEYS[key]));
    if (key === "hostname" && ts.hostname === undefined && !cmd.values.has("tailscale.hostname")) setPath(merged, "tailscale.hostname", raw);
  }
  const v = validate(merged);
  problems.push(...v.problems);
  return problems.length ? { problems, file } : { config: v.config, problems, file };
}
