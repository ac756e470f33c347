// diag rows for services: supervisor state, and whether each service port answers on the LAN address.
import { tcpProbe } from "../proc/readiness.ts";
import type { AgentState } from "../state.ts";
import { registerDiag, type DiagLine } from "./diag.ts";

/** Register the "services" diag group. */
export function registerServiceDiag(): void {
  registerDiag("services", async (st: AgentState) => {
    const rows: DiagLine[] = st.sup.status().map((s) => ({
      check: `service:${s.name}`, ok: s.state === "ready", detail: `${s.state}${s.pid ? ` pid ${s.pid}` : ""}${s.restarts ? `, ${s.restarts} restarts` : ""}${s.note ? ` (${s.note})` : ""}`,
      hint: `see \`logs ${s.name}\` and \`deaths ${s.name}\`; \`restart ${s.name}\` after fixing`,
    }));
    const c = st.config;
    if (c?.net.enabled) {
      const ports = [...(c.postgres.enabled ? [c.postgres.port] : []), ...(c.forgejo.enabled ? [c.forgejo.http_port] : [])];
      for (const port of ports) {
        const ok = await tcpProbe(c.net.ip.addr, port, 1000);
        rows.push({ check: `reach:${c.net.ip.addr}:${port}`, ok, detail: ok ? "accepts connections on the LAN address" : "no answer on the LAN address", hint: "is the service ready and listening on all addresses (listen_addresses / HTTP_ADDR)?" });
      }
    }
    return rows;
  });
}
