// Rendering the effective config for humans, with secrets removed.
import type { AgentConfig } from "./schema.ts";

/** Environment variable names whose values are secrets. */
const SECRET_ENV = /PASS|SECRET|TOKEN|AUTH|KEY|CREDENTIAL/i;

/** True when an env var name or config key names a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_ENV.test(name) && !/_FILE$|_file$|_PATH$/.test(name);
}

/** A copy of the config that is safe to print: secret-looking env values become "<redacted>". */
export function redactConfig(c: AgentConfig): unknown {
  const copy = structuredClone(c) as any;
  copy.net.ip = `${c.net.ip.addr}/${c.net.ip.len}`;
  copy.net.lan = `${c.net.lan.addr}/${c.net.lan.len}`;
  for (const s of copy.services) {
    for (const k of Object.keys(s.env)) if (isSecretName(k)) s.env[k] = "<redacted>";
  }
  return copy;
}

/** The effective config as TOML-ish text, one `key = value` per line. */
export function formatConfig(c: AgentConfig): string {
  const lines: string[] = [];
  const walk = (o: any, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (k === "services") continue;
      if (v && typeof v === "object" && !Array.isArray(v)) walk(v, key);
      else lines.push(`${key} = ${JSON.stringify(v)}`);
    }
  };
  const r = redactConfig(c) as any;
  walk(r, "");
  for (const s of r.services) lines.push(`service.${s.name} = ${JSON.stringify(s)}`);
  return lines.join("\n");
}
