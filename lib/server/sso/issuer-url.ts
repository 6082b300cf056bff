import "server-only";
import { validationFailed } from "@/lib/server/errors/app-error";
import { normalizeAddress } from "@/lib/server/kube/address-guard";

/** Loopback by name or address (any notation): the only place an issuer may use plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.+$/, "")
    .toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const address = normalizeAddress(host);
  return address?.range() === "loopback";
}

/**
 * An issuer URL must be https (plain http only on loopback, for local providers and tests),
 * without credentials, query or fragment: the ID token's `iss` is compared to it exactly.
 */
export function parseIssuerUrl(raw: string, field = "issuer"): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw validationFailed({ [field]: ["Issuer must be a URL such as https://login.example.com/realms/main"] });
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname)))
    throw validationFailed({ [field]: ["Issuer must use https (plain http is allowed only on loopback)"] });
  if (url.username || url.password) throw validationFailed({ [field]: ["Issuer must not contain credentials"] });
  if (url.search || url.hash) throw validationFailed({ [field]: ["Issuer must not have a query or fragment"] });
  return url;
}
