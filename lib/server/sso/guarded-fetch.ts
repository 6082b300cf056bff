import "server-only";
import { lookup } from "node:dns/promises";
import type * as client from "openid-client";
import { BlockedAddressError, isBlockedAddress, normalizeAddress } from "@/lib/server/kube/address-guard";
import { protectedEndpoints } from "@/lib/server/kube/protected-endpoints";
import { isLoopbackHost } from "./issuer-url";

/**
 * The fetch openid-client uses for every call to a provider (discovery, JWKS, token,
 * userinfo). The issuer is chosen by an admin but fetched by our server, so the same
 * address guard as for clusters applies: never cloud metadata or link-local addresses,
 * never Archipelago's own web server or database; plain http only to loopback; redirects
 * are not followed. Names are resolved and checked before connecting. Known limit: fetch
 * resolves the name again itself, so a DNS answer that changes between the two lookups
 * (rebinding) is not caught here as it is for clusters, whose agent checks at connect time.
 */
export async function assertFetchAllowed(url: URL): Promise<void> {
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname)))
    throw new BlockedAddressError(`${url.host} is refused: plain http is allowed only on loopback`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const addresses = normalizeAddress(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  for (const address of addresses) {
    const reason = isBlockedAddress(address, port, protectedEndpoints());
    if (reason) throw new BlockedAddressError(`${url.host} is refused: ${reason}`);
  }
}

export const guardedFetch = async (url: string, options: client.CustomFetchOptions): Promise<Response> => {
  await assertFetchAllowed(new URL(url));
  return fetch(url, { ...(options as RequestInit), redirect: "manual" });
};
