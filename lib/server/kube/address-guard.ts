import "server-only";
import { BlockList, isIP } from "node:net";
import type { LookupAddress, LookupOptions } from "node:dns";
import dns from "node:dns";

/**
 * Outbound safety: a cluster URL is chosen by an admin, but the request is made by our
 * server, so it must not be usable to reach cloud metadata services, link-local
 * addresses or Archipelago's own database. Checked for IP literals up front and for every
 * DNS answer at connect time (so DNS rebinding cannot sneak past the first check).
 */

const blocked = new BlockList();
blocked.addSubnet("169.254.0.0", 16, "ipv4"); // link-local, incl. 169.254.169.254 metadata
blocked.addSubnet("fe80::", 10, "ipv6"); // IPv6 link-local
blocked.addAddress("fd00:ec2::254", "ipv6"); // AWS IMDS over IPv6

export class BlockedAddressError extends Error {
  override name = "BlockedAddressError";
  readonly code = "EARCHIPELAGO_BLOCKED";
}

export interface ProtectedEndpoint {
  /** Literal IP addresses (after resolution) and port of something clusters must not point at. */
  addresses: string[];
  port: number;
}

function unmap(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith("::ffff:") && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

export function isBlockedAddress(
  address: string,
  port: number,
  protectedEndpoints: ProtectedEndpoint[],
): string | null {
  const plain = unmap(address);
  const family = isIP(plain) === 6 ? "ipv6" : "ipv4";
  if (blocked.check(plain, family)) return "link-local and cloud metadata addresses are not allowed";
  for (const endpoint of protectedEndpoints) {
    if (endpoint.port === port && endpoint.addresses.some((candidate) => unmap(candidate) === plain)) {
      return "that address is Archipelago's own database";
    }
  }
  return null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup replacement for https.Agent that refuses blocked answers. */
export function guardedLookup(port: number, protectedEndpoints: () => ProtectedEndpoint[]) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const reason = isBlockedAddress(address, port, protectedEndpoints());
        if (reason)
          return callback(new BlockedAddressError(`${hostname} resolves to a refused address: ${reason}`), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}
