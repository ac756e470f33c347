// The agent's configuration: every key, its type, and its default per role. This file is the manual.
//
//   role                 sql | forgejo (required: TOML `role` or cmdline sovereign.role)
//   hostname             UTS hostname (default sovereign-<role>)
//   log.level            info | debug
//   log.kmsg             also write log lines to /dev/kmsg when PID 1
//   console.devices      console devices to serve; [] = auto (hvc0, else ttyS0, else /dev/console)
//   console.debug_shell  allow the `shell` command (cmdline sovereign.debug_shell=1)
//   control.socket       control socket path for `sovereign-agent ctl`
//   system.exec_helper   every child starts through `HELPER exec CMD`: clean signal mask and dispositions
//   data.label           ext4 label of the persistent data disk; data.mountpoint where it goes
//   data.required        refuse to start services when the data disk is missing
//   net.enabled          configure the NIC; net.iface is a name or MAC; net.ip CIDR; net.gw; net.mtu;
//                        net.dns servers; net.lan the bridge prefix (advertised, guarded); net.peers
//                        the other VM's service (IP:PORT) that diag checks with a marked socket
//   postgres.*           SQL VM: binaries, data dir (data disk), port, socket dir, secrets, Forgejo role/db
//   forgejo.*            Forgejo VM: binary, work dir (data disk), HTTP port, database, admin user
//   firewall.*           our nftables table `inet sovereign`: enabled, input_policy, tcp_ports, nft binary
//   tailscale.*          subnet router: binaries, socket, state, auth_key_file, routes, tags, accept_routes
//   [[service]]          extra supervised processes (tests, add-ons); see ServiceConfig
import type { Cidr4 } from "../net/addr.ts";

export type Role = "sql" | "forgejo";
export const ROLES: readonly Role[] = ["sql", "forgejo"];

/** How readiness of a service is decided. */
export type ReadySpec =
  | { kind: "none" }
  | { kind: "notify" }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "exec"; argv: string[] };

/** One supervised process. */
export interface ServiceConfig {
  name: string;
  command: string[];
  user: string;
  groups: string[] | null; // null: the user's groups from /etc/group (like --init-groups)
  env: Record<string, string>;
  cwd: string;
  depends_on: string[];
  ready: ReadySpec;
  ready_timeout_ms: number;
  stop_signal: NodeJS.Signals;
  stop_timeout_ms: number;
  restart_initial_ms: number;
  restart_max_ms: number;
  restart_reset_ms: number;
  fail_max_deaths: number;
  fail_window_ms: number;
  nofile: number; // soft=hard RLIMIT_NOFILE for the child
  autostart: boolean;
}

/** The one typed, validated config object. */
export interface AgentConfig {
  role: Role;
  hostname: string;
  log: { level: "info" | "debug"; kmsg: boolean };
  console: { enabled: boolean; devices: string[]; debug_shell: boolean };
  control: { socket: string };
  system: { exec_helper: string };
  data: { enabled: boolean; label: string; mountpoint: string; required: boolean };
  net: { enabled: boolean; iface: string; ip: Cidr4; gw: string; mtu: number; dns: string[]; lan: Cidr4; peers: string[] };
  postgres: {
    enabled: boolean; bin_dir: string; data_dir: string; port: number; socket_dir: string; user: string;
    shared_buffers_mb: number; secrets_dir: string; forgejo_db: string; forgejo_user: string; forgejo_password_file: string; stop_timeout_ms: number;
    restart_initial_ms: number; restart_max_ms: number;
  };
  forgejo: {
    enabled: boolean; bin: string; work_dir: string; user: string; http_port: number; root_url: string; db_host: string;
    db_name: string; db_user: string; db_password_file: string; admin_user: string; admin_email: string;
  };
  firewall: { enabled: boolean; input_policy: "drop" | "accept"; tcp_ports: number[]; nft: string };
  tailscale: {
    enabled: boolean; tailscaled: string; tailscale: string; socket: string; state: string;
    auth_key_file: string; hostname: string; advertise_routes: string[]; advertise_tags: string[];
    accept_routes: boolean; port: number; up_timeout_s: number; login_server: string; reminder_s: number;
  };
  services: ServiceConfig[];
}

/** Value kinds the validator knows. */
export type Kind =
  | { t: "string"; nonEmpty?: boolean; secret?: boolean }
  | { t: "path" }
  | { t: "int"; min: number; max: number }
  | { t: "bool" }
  | { t: "enum"; values: readonly string[] }
  | { t: "ip4" }
  | { t: "ip4-or-empty" }
  | { t: "cidr4" }
  | { t: "list"; of: "string" | "ip4" | "cidr4" | "path" | "port" | "hostport" };

/** Every scalar key of AgentConfig (dotted), with its kind. `services` is validated separately. */
export const KEYS: Record<string, Kind> = {
  "role": { t: "enum", values: ROLES },
  "hostname": { t: "string", nonEmpty: true },
  "log.level": { t: "enum", values: ["info", "debug"] },
  "log.kmsg": { t: "bool" },
  "console.enabled": { t: "bool" },
  "console.devices": { t: "list", of: "path" },
  "console.debug_shell": { t: "bool" },
  "control.socket": { t: "path" },
  "system.exec_helper": { t: "path" },
  "data.enabled": { t: "bool" },
  "data.label": { t: "string", nonEmpty: true },
  "data.mountpoint": { t: "path" },
  "data.required": { t: "bool" },
  "net.enabled": { t: "bool" },
  "net.iface": { t: "string", nonEmpty: true },
  "net.ip": { t: "cidr4" },
  "net.gw": { t: "ip4-or-empty" },
  "net.mtu": { t: "int", min: 576, max: 65535 },
  "net.dns": { t: "list", of: "ip4" },
  "net.lan": { t: "cidr4" },
  "net.peers": { t: "list", of: "hostport" },
  "firewall.enabled": { t: "bool" },
  "firewall.input_policy": { t: "enum", values: ["drop", "accept"] },
  "firewall.tcp_ports": { t: "list", of: "port" },
  "firewall.nft": { t: "path" },
  "postgres.enabled": { t: "bool" },
  "postgres.bin_dir": { t: "path" },
  "postgres.data_dir": { t: "path" },
  "postgres.port": { t: "int", min: 1, max: 65535 },
  "postgres.socket_dir": { t: "path" },
  "postgres.user": { t: "string", nonEmpty: true },
  "postgres.shared_buffers_mb": { t: "int", min: 0, max: 65536 },
  "postgres.secrets_dir": { t: "path" },
  "postgres.forgejo_db": { t: "string", nonEmpty: true },
  "postgres.forgejo_user": { t: "string", nonEmpty: true },
  "postgres.forgejo_password_file": { t: "path" },
  "postgres.stop_timeout_ms": { t: "int", min: 1000, max: 600000 },
  "postgres.restart_initial_ms": { t: "int", min: 10, max: 600000 },
  "postgres.restart_max_ms": { t: "int", min: 10, max: 3600000 },
  "forgejo.enabled": { t: "bool" },
  "forgejo.bin": { t: "path" },
  "forgejo.work_dir": { t: "path" },
  "forgejo.user": { t: "string", nonEmpty: true },
  "forgejo.http_port": { t: "int", min: 1, max: 65535 },
  "forgejo.root_url": { t: "string", nonEmpty: true },
  "forgejo.db_host": { t: "string", nonEmpty: true },
  "forgejo.db_name": { t: "string", nonEmpty: true },
  "forgejo.db_user": { t: "string", nonEmpty: true },
  "forgejo.db_password_file": { t: "path" },
  "forgejo.admin_user": { t: "string", nonEmpty: true },
  "forgejo.admin_email": { t: "string", nonEmpty: true },
  "tailscale.enabled": { t: "bool" },
  "tailscale.tailscaled": { t: "path" },
  "tailscale.tailscale": { t: "path" },
  "tailscale.socket": { t: "path" },
  "tailscale.state": { t: "path" },
  "tailscale.auth_key_file": { t: "path" },
  "tailscale.hostname": { t: "string", nonEmpty: true },
  "tailscale.advertise_routes": { t: "list", of: "cidr4" },
  "tailscale.advertise_tags": { t: "list", of: "string" },
  "tailscale.accept_routes": { t: "bool" },
  "tailscale.port": { t: "int", min: 0, max: 65535 },
  "tailscale.up_timeout_s": { t: "int", min: 1, max: 3600 },
  "tailscale.login_server": { t: "string" },
  "tailscale.reminder_s": { t: "int", min: 1, max: 86400 },
};

/** Kernel cmdline shorthands (DESIGN §5) → dotted keys. Any `sovereign.<dotted.key>` works too. */
export const CMDLINE_ALIASES: Record<string, string> = {
  "sovereign.role": "role",
  "sovereign.hostname": "hostname",
  "sovereign.iface": "net.iface",
  "sovereign.ip": "net.ip",
  "sovereign.gw": "net.gw",
  "sovereign.mtu": "net.mtu",
  "sovereign.dns": "net.dns",
  "sovereign.tailscale": "tailscale.enabled",
  "sovereign.console": "console.devices",
  "sovereign.debug_shell": "console.debug_shell",
  "sovereign.log": "log.level",
};

/** The Forgejo DB password both VMs read: the config disk (label sovereign-cfg) made once by `make run`. */
export const SHARED_DB_PASSWORD = "/run/sovereign/config/forgejo-db.password";

/** Built-in defaults for a role, as a plain nested object in config-file shape. */
export function roleDefaults(role: Role): Record<string, unknown> {
  const ip = role === "sql" ? "192.168.100.2/24" : "192.168.100.3/24";
  const hostname = `sovereign-${role}`;
  return {
    role, hostname,
    log: { level: "info", kmsg: true },
    console: { enabled: true, devices: [], debug_shell: false },
    control: { socket: "/run/sovereign/agent.sock" },
    system: { exec_helper: "/sbin/sovereign-init" },
    data: { enabled: true, label: "sovereign-data", mountpoint: "/var/lib/sovereign", required: false },
    net: { enabled: true, iface: "eth0", ip, gw: "192.168.100.1", mtu: 1500, dns: [], lan: "192.168.100.0/24",
      peers: role === "sql" ? ["192.168.100.3:3000"] : ["192.168.100.2:5432"] },
    postgres: {
      enabled: role === "sql", bin_dir: "/usr/lib/postgresql/15/bin", data_dir: "/var/lib/sovereign/postgresql/15/main", port: 5432,
      socket_dir: "/run/postgresql", user: "postgres", shared_buffers_mb: 0, secrets_dir: "/var/lib/sovereign/secrets",
      forgejo_db: "forgejo", forgejo_user: "forgejo", forgejo_password_file: SHARED_DB_PASSWORD, stop_timeout_ms: 30_000,
      restart_initial_ms: 1000, restart_max_ms: 30_000,
    },
    forgejo: {
      enabled: role === "forgejo", bin: "/usr/local/bin/forgejo", work_dir: "/var/lib/sovereign/forgejo", user: "git", http_port: 3000,
      root_url: "http://192.168.100.3:3000/", db_host: "192.168.100.2:5432", db_name: "forgejo", db_user: "forgejo",
      db_password_file: SHARED_DB_PASSWORD, admin_user: "owner", admin_email: "owner@localhost",
    },
    firewall: { enabled: true, input_policy: "drop", tcp_ports: role === "sql" ? [5432] : [3000], nft: "/usr/sbin/nft" },
    tailscale: {
      enabled: role === "sql",
      tailscaled: "/usr/sbin/tailscaled", tailscale: "/usr/bin/tailscale",
      socket: "/run/tailscale/tailscaled.sock", state: "/var/lib/sovereign/tailscale/tailscaled.state",
      auth_key_file: "/var/lib/sovereign/secrets/ts-authkey", hostname,
      advertise_routes: ["192.168.100.0/24"], advertise_tags: [], accept_routes: false, port: 41641, up_timeout_s: 60,
      login_server: "", reminder_s: 300,
    },
    service: [],
  };
}

/** Service defaults; a [[service]] table overrides these keys. */
export const SERVICE_DEFAULTS: Omit<ServiceConfig, "name" | "command"> = {
  user: "root", groups: null, env: {}, cwd: "/", depends_on: [], ready: { kind: "none" }, ready_timeout_ms: 60_000,
  stop_signal: "SIGTERM", stop_timeout_ms: 10_000, restart_initial_ms: 1000, restart_max_ms: 60_000,
  restart_reset_ms: 60_000, fail_max_deaths: 5, fail_window_ms: 60_000, nofile: 1024, autostart: true,
};
