// Kernel command-line parsing: `sovereign.*` keys only; everything else belongs to the kernel.
import { CMDLINE_ALIASES, KEYS } from "./schema.ts";

/** The sovereign.* settings found on a command line. */
export interface CmdlineSettings {
  configPath?: string;
  values: Map<string, string>; // dotted key → raw string value
  problems: string[];
}

/** Split a kernel command line into words, honouring double quotes. */
export function splitCmdline(text: string): string[] {
  const words: string[] = [];
  let cur = "", inQuote = false, any = false;
  for (const ch of text) {
    if (ch === '"') { inQuote = !inQuote; any = true; continue; }
    if (!inQuote && /\s/.test(ch)) { if (any) words.push(cur); cur = ""; any = false; continue; }
    cur += ch; any = true;
  }
  if (any) words.push(cur);
  return words;
}

/** Parse `sovereign.*` keys from a kernel command line into dotted config keys. */
export function parseCmdline(text: string): CmdlineSettings {
  const out: CmdlineSettings = { values: new Map(), problems: [] };
  const seen = new Map<string, string>();
  for (const word of splitCmdline(text)) {
    if (!word.startsWith("sovereign.")) continue;
    const eq = word.indexOf("=");
    const name = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? "1" : word.slice(eq + 1);
    const prev = seen.get(name);
    if (prev !== undefined) {
      out.problems.push(`${name}: given twice on the command line (${JSON.stringify(prev)} and ${JSON.stringify(value)}; give it once)`);
      continue;
    }
    seen.set(name, value);
    if (name === "sovereign.config") { out.configPath = value; continue; }
    const key = CMDLINE_ALIASES[name] ?? name.slice("sovereign.".length);
    if (!(key in KEYS)) {
      const known = [...Object.keys(CMDLINE_ALIASES), "sovereign.config"].sort().join(", ");
      out.problems.push(`${name}: unknown command-line key (known: ${known}, or sovereign.<config key>)`);
      continue;
    }
    out.values.set(key, value);
  }
  return out;
}
