// Validation: untyped merged input → AgentConfig, or a list of one-line problems.
// Each problem names the key, the bad value, and what is allowed.
import { parseCidr4, parseIp4 } from "../net/addr.ts";
import { KEYS, SERVICE_DEFAULTS, type AgentConfig, type Kind, type ReadySpec, type ServiceConfig } from "./schema.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v);

/** Describe what a kind allows, for error messages. */
export function allowed(k: Kind): string {
  switch (k.t) {
    case "string": return k.nonEmpty ? "a non-empty string" : "a string";
    case "path": return "an absolute path";
    case "int": return `an integer ${k.min}-${k.max}`;
    case "bool": return "true or false (cmdline: 1/0, on/off)";
    case "enum": return `one of: ${k.values.join(", ")}`;
    case "ip4": return "an IPv4 address, e.g. 192.168.100.1";
    case "ip4-or-empty": return "an IPv4 address or \"\"";
    case "cidr4": return "an IPv4 CIDR a.b.c.d/0-32, e.g. 192.168.100.2/24";
    case "list": return `a list of ${({ cidr4: "IPv4 CIDRs", ip4: "IPv4 addresses", path: "absolute paths", port: "ports 1-65535", hostport: "IPv4:PORT pairs", string: "strings" })[k.of]}`;
  }
}

/** Turn a cmdline string into the value type `k` wants; unparseable strings stay strings (and fail validation). */
export function coerce(raw: string, k: Kind): unknown {
  if (k.t === "int") return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (k.t === "bool") return ({ "1": true, on: true, true: true, yes: true, "0": false, off: false, false: false, no: false } as Record<string, boolean>)[raw] ?? raw;
  if (k.t === "list") return raw === "" ? [] : raw.split(",").map((x) => (k.of === "port" && /^\d+$/.test(x) ? Number(x) : x));
  return raw;
}

/** Check one scalar value against its kind; returns a problem line or undefined. */
export function checkValue(key: string, v: unknown, k: Kind): string | undefined {
  const bad = (what: string) => `${key}: ${show(v)} ${what} (want ${allowed(k)})`;
  switch (k.t) {
    case "string":
      if (typeof v !== "string") return bad(`is ${typeName(v)}`);
      return k.nonEmpty && v === "" ? bad("is empty") : undefined;
    case "path":
      if (typeof v !== "string") return bad(`is ${typeName(v)}`);
      return v.startsWith("/") ? undefined : bad("is not an absolute path");
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v)) return bad(typeof v === "string" ? "is not an integer" : `is ${typeName(v)}`);
      return v < k.min || v > k.max ? bad("is out of range") : undefined;
    case "bool":
      return typeof v === "boolean" ? undefined : bad(`is ${typeName(v)}`);
    case "enum":
      return typeof v === "string" && k.values.includes(v) ? undefined : bad("is not allowed");
    case "ip4":
    case "ip4-or-empty":
      if (typeof v !== "string") return bad(`is ${typeName(v)}`);
      if (k.t === "ip4-or-empty" && v === "") return undefined;
      return parseIp4(v) ? undefined : bad("is not an IPv4 address");
    case "cidr4":
      if (typeof v !== "string") return bad(`is ${typeName(v)}`);
      return parseCidr4(v) ? undefined : bad("is not an IPv4 CIDR");
    case "list": {
      if (!Array.isArray(v)) return bad(`is ${typeName(v)}`);
      const inner: Kind = k.of === "string" || k.of === "hostport" ? { t: "string", nonEmpty: true } : k.of === "port" ? { t: "int", min: 1, max: 65535 } : { t: k.of };
      for (const [i, item] of v.entries()) {
        if (k.of === "hostport" && !(typeof item === "string" && /^(.+):(\d{1,5})$/.test(item) && parseIp4(item.split(":")[0]))) return `${key}[${i}]: ${show(item)} is not IPv4:PORT (want e.g. 192.168.100.3:3000)`;
        const p = checkValue(`${key}[${i}]`, item, inner);
        if (p) return p;
      }
      return undefined;
    }
  }
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a number";
  return typeof v === "object" ? "a table" : `a ${typeof v}`;
}

/** Validate a merged nested object into AgentConfig. Returns problems instead of throwing. */
export function validate(input: Obj): { config?: AgentConfig; problems: string[] } {
  const problems: string[] = [];
  const sections = new Set(Object.keys(KEYS).filter((k) => k.includes(".")).map((k) => k.split(".")[0]));
  for (const [top, v] of Object.entries(input)) {
    if (top === "service") continue;
    if (sections.has(top)) {
      if (!isObj(v)) { problems.push(`${top}: ${show(v)} is ${typeName(v)} (want a table)`); continue; }
      const known = Object.keys(KEYS).filter((k) => k.startsWith(top + ".")).map((k) => k.slice(top.length + 1));
      for (const sub of Object.keys(v)) {
        if (!known.includes(sub)) problems.push(`${top}.${sub}: unknown key (allowed: ${known.sort().join(", ")})`);
      }
    } else if (!(top in KEYS)) {
      problems.push(`${top}: unknown key (allowed: ${[...Object.keys(KEYS).filter((k) => !k.includes(".")), ...sections, "service"].sort().join(", ")})`);
    }
  }
  for (const [key, kind] of Object.entries(KEYS)) {
    if (key.includes(".") && !isObj(input[key.split(".")[0]])) continue; // the section itself was reported
    const v = getPath(input, key);
    if (v === undefined) { problems.push(`${key}: missing (want ${allowed(kind)})`); continue; }
    const p = checkValue(key, v, kind);
    if (p) problems.push(p);
  }
  const services = validateServices(input.service, problems);
  if (problems.length) return { problems };
  const c = structuredClone(input) as any;
  c.net.ip = parseCidr4(c.net.ip);
  c.net.lan = parseCidr4(c.net.lan);
  delete c.service;
  c.services = services;
  return { config: c as AgentConfig, problems };
}

/** Read a dotted path from a nested object. */
export function getPath(o: Obj, dotted: string): unknown {
  let cur: unknown = o;
  for (const part of dotted.split(".")) {
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Set a dotted path in a nested object, creating tables on the way. */
export function setPath(o: Obj, dotted: string, v: unknown): void {
  const parts = dotted.split(".");
  let cur = o;
  for (const part of parts.slice(0, -1)) {
    if (!isObj(cur[part])) cur[part] = {};
    cur = cur[part] as Obj;
  }
  cur[parts[parts.length - 1]] = v;
}

const SERVICE_KINDS: Record<string, Kind | "special"> = {
  name: { t: "string", nonEmpty: true }, command: "special", user: { t: "string", nonEmpty: true }, groups: "special",
  env: "special", cwd: { t: "path" }, depends_on: { t: "list", of: "string" }, ready: "special",
  ready_timeout_ms: { t: "int", min: 0, max: 3_600_000 }, stop_signal: "special",
  stop_timeout_ms: { t: "int", min: 0, max: 600_000 }, restart_initial_ms: { t: "int", min: 0, max: 3_600_000 },
  restart_max_ms: { t: "int", min: 0, max: 3_600_000 }, restart_reset_ms: { t: "int", min: 0, max: 86_400_000 },
  fail_max_deaths: { t: "int", min: 1, max: 10_000 }, fail_window_ms: { t: "int", min: 1, max: 86_400_000 },
  nofile: { t: "int", min: 16, max: 1_048_576 }, autostart: { t: "bool" },
};

const SIGNALS = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGKILL"];

/** Parse a readiness spec: none | notify | tcp:HOST:PORT | exec:ARGV... */
export function parseReady(s: string): ReadySpec | undefined {
  if (s === "none" || s === "notify") return { kind: s };
  const tcp = /^tcp:(.+):(\d{1,5})$/.exec(s);
  if (tcp && Number(tcp[2]) <= 65535) return { kind: "tcp", host: tcp[1], port: Number(tcp[2]) };
  if (s.startsWith("exec:") && s.length > 5) return { kind: "exec", argv: s.slice(5).trim().split(/\s+/) };
  return undefined;
}

function validateServices(raw: unknown, problems: string[]): ServiceConfig[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) { problems.push(`service: ${show(raw)} is ${typeName(raw)} (want [[service]] tables)`); return []; }
  const out: ServiceConfig[] = [];
  const names = new Set<string>();
  raw.forEach((s, i) => {
    const at = `service[${i}]`;
    if (!isObj(s)) { problems.push(`${at}: ${show(s)} is ${typeName(s)} (want a table)`); return; }
    const label = typeof s.name === "string" ? `service.${s.name}` : at;
    for (const k of Object.keys(s)) {
      if (!(k in SERVICE_KINDS)) problems.push(`${label}.${k}: unknown key (allowed: ${Object.keys(SERVICE_KINDS).sort().join(", ")})`);
    }
    const svc: any = { ...SERVICE_DEFAULTS, ...s };
    for (const [k, kind] of Object.entries(SERVICE_KINDS)) {
      if (kind === "special" || s[k] === undefined) continue;
      const p = checkValue(`${label}.${k}`, s[k], kind);
      if (p) problems.push(p);
    }
    if (s.name === undefined) problems.push(`${at}.name: missing (want a non-empty string)`);
    else if (names.has(s.name as string)) problems.push(`${label}: defined twice (service names must be unique)`);
    names.add(s.name as string);
    if (!Array.isArray(s.command) || s.command.length === 0 || !s.command.every((x) => typeof x === "string"))
      problems.push(`${label}.command: ${show(s.command)} is not a command (want a non-empty list of strings, e.g. ["/bin/sleep", "10"])`);
    if (s.groups !== undefined && !(Array.isArray(s.groups) && s.groups.every((x) => typeof x === "string")))
      problems.push(`${label}.groups: ${show(s.groups)} is not a group list (want a list of group names)`);
    if (s.env !== undefined && !(isObj(s.env) && Object.values(s.env).every((x) => typeof x === "string")))
      problems.push(`${label}.env: is not a table of strings (want env = { NAME = "value" })`);
    if (s.stop_signal !== undefined && !SIGNALS.includes(s.stop_signal as string))
      problems.push(`${label}.stop_signal: ${show(s.stop_signal)} is not allowed (want one of: ${SIGNALS.join(", ")})`);
    if (s.ready !== undefined) {
      const r = typeof s.ready === "string" ? parseReady(s.ready) : undefined;
      if (!r) problems.push(`${label}.ready: ${show(s.ready)} is not a readiness probe (want none, notify, tcp:HOST:PORT or exec:COMMAND)`);
      svc.ready = r;
    }
    out.push(svc as ServiceConfig);
  });
  for (const s of out) {
    for (const d of s.depends_on) {
      if (!names.has(d)) problems.push(`service.${s.name}.depends_on: ${show(d)} is not a defined service (defined: ${[...names].join(", ")})`);
    }
  }
  return out;
}
