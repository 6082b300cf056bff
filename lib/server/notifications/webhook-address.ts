import "server-only";
import dns from "node:dns/promises";
import { isBlockedAddress, normalizeAddress } from "@/lib/server/kube/address-guard";
import { protectedEndpoints } from "@/lib/server/kube/protected-endpoints";

/** The port a webhook URL reaches. */
export const webhookPort = (url: URL) => Number(url.port || (url.protocol === "https:" ? 443 : 80));

/**
 * Save-time check of a webhook URL with the cluster URLs' guard (kube/address-guard.ts): no
 * link-local or metadata address, not Archipelago's own web server or database. Delivery
 * checks again at every connection (deliver.ts, guardedLookup), so DNS rebinding cannot pass.
 * Names that do not resolve now are allowed: the receiver may not be up yet.
 */
export async function webhookAddressProblem(raw: string): Promise<string | null> {
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = normalizeAddress(host)
    ? [host]
    : (await dns.lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
  for (const address of addresses) {
    const reason = isBlockedAddress(address, webhookPort(url), protectedEndpoints());
    if (reason) return `Webhook address is refused: ${reason}`;
  }
  return null;
}
