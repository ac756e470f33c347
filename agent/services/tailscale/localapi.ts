// A minimal LocalAPI client over tailscaled's unix socket. Host is local-tailscaled.sock and no
// Origin/Referer is sent, or tailscaled answers 403 (reference/tailscale.md §5).

/** The subset of ipnstate.Status the agent reads. */
export interface TsStatus {
  BackendState: string;
  AuthURL: string;
  TailscaleIPs: string[] | null;
  Health: string[] | null;
  Self?: { HostName?: string; ID?: string; PrimaryRoutes?: string[]; AllowedIPs?: string[]; Online?: boolean };
}

/** GET a LocalAPI endpoint and parse JSON; throws "<verb> <object>: <cause>". */
export async function localApi<T>(socket: string, path: string, timeoutMs = 3000): Promise<T> {
  let r: Response;
  try {
    r = await fetch(`http://local-tailscaled.sock/localapi/v0/${path}`, { unix: socket, signal: AbortSignal.timeout(timeoutMs) } as RequestInit);
  } catch (e) {
    throw new Error(`query tailscaled ${path}: ${(e as Error).message} (socket ${socket})`);
  }
  if (!r.ok) throw new Error(`query tailscaled ${path}: HTTP ${r.status}: ${(await r.text()).trim()}`);
  return (await r.json()) as T;
}
