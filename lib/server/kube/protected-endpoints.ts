import "server-only";
import dns from "node:dns/promises";
import { isIP } from "node:net";
import type { ProtectedEndpoint } from "./address-guard";

// On globalThis: the start script and Next's server bundle load separate copies of this module.
const globalForEndpoints = globalThis as unknown as { archipelagoProtectedEndpoints?: ProtectedEndpoint[] };

/**
 * Resolves the addresses clusters must never point at: the database (and the app's own
 * listener). Called at start-up and whenever DATABASE_URL is (re)set.
 */
export async function protectOwnEndpoints(input: { databaseUrl?: string; appPort?: number }): Promise<void> {
  const next: ProtectedEndpoint[] = [];
  if (input.databaseUrl) {
    const url = new URL(input.databaseUrl);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const addresses = isIP(host)
      ? [host]
      : (await dns.lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
    if (host === "localhost") addresses.push("127.0.0.1", "::1");
    next.push({ addresses, port: Number(url.port || 5432) });
  }
  if (input.appPort) next.push({ addresses: ["127.0.0.1", "::1", "0.0.0.0", "::"], port: input.appPort });
  globalForEndpoints.archipelagoProtectedEndpoints = next;
}

export function protectedEndpoints(): ProtectedEndpoint[] {
  return globalForEndpoints.archipelagoProtectedEndpoints ?? [];
}
