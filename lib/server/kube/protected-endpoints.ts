import "server-only";
import dns from "node:dns/promises";
import { env } from "@/lib/server/config/env";
import { normalizeAddress, type ProtectedEndpoint } from "./address-guard";

// On globalThis: the start script and Next's server bundle load separate copies of this module.
const globalForEndpoints = globalThis as unknown as { archipelagoProtectedEndpoints?: ProtectedEndpoint[] };

/** True when a database host is this machine (a name for it, a loopback or unspecified address). */
function isLocalHost(host: string, addresses: string[]): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  return addresses.some((address) => {
    const range = normalizeAddress(address)?.range();
    return range === "loopback" || range === "unspecified";
  });
}

/**
 * Resolves what clusters must never point at: the database and the app's own listener.
 * Called at start-up with the real database URL and port.
 */
export async function protectOwnEndpoints(input: { databaseUrl?: string; appPort?: number }): Promise<void> {
  const next: ProtectedEndpoint[] = [];
  if (input.databaseUrl) {
    const url = new URL(input.databaseUrl);
    const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.+$/, "");
    const addresses = normalizeAddress(host)
      ? [host]
      : (await dns.lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
    next.push({ role: "database", port: Number(url.port || 5432), addresses, local: isLocalHost(host, addresses) });
  }
  if (input.appPort) next.push({ role: "web server", port: input.appPort, addresses: [], local: true });
  globalForEndpoints.archipelagoProtectedEndpoints = next;
}

/**
 * What protectOwnEndpoints registered; before that (tools, tests) the configured listener
 * port and, without DATABASE_URL, the embedded database's port, both on every local address.
 */
export function protectedEndpoints(): ProtectedEndpoint[] {
  const registered = globalForEndpoints.archipelagoProtectedEndpoints;
  if (registered) return registered;
  const config = env();
  const defaults: ProtectedEndpoint[] = [{ role: "web server", port: config.PORT, addresses: [], local: true }];
  if (!config.DATABASE_URL)
    defaults.push({ role: "database", port: config.ARCHIPELAGO_EMBEDDED_PG_PORT, addresses: [], local: true });
  return defaults;
}
