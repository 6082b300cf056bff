import "server-only";
import dns from "node:dns/promises";
import { isBlockedAddress, normalizeAddress } from "@/lib/server/kube/address-guard";
import { protectedEndpoints } from "@/lib/server/kube/protected-endpoints";

/**
 * Registration-time check of a cluster URL's address, so an admin gets a clear 400 naming
 * the field. The transport checks again at every connection (DNS can change).
 * Unresolvable names are allowed here: the cluster may simply not be reachable yet.
 */
export async function serverAddressProblem(server: string): Promise<string | null> {
  const url = new URL(server);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || 443);
  const addresses = normalizeAddress(host)
    ? [host]
    : (await dns.lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
  for (const address of addresses) {
    const reason = isBlockedAddress(address, port, protectedEndpoints());
    if (reason) return `Server address is refused: ${reason}`;
  }
  return null;
}
