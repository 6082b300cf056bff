import "server-only";
import dns from "node:dns";
import type { LookupAddress, LookupOptions } from "node:dns";
import { networkInterfaces } from "node:os";
import ipaddr from "ipaddr.js";

/**
 * Outbound safety: a cluster URL is chosen by an admin, but the request is made by our
 * server, so it must not be usable to reach cloud metadata services, link-local
 * addresses, or Archipelago itself (its web server and its database). Every address is
 * first normalised to one canonical IP, then decided:
 *
 * - parsing is ipaddr.js's (every IPv4 notation: dotted, integer `2130706433`, octal
 *   `0177.0.0.1`, hex `0x7f.1`, short `127.1`; IPv6 in any spelling), after removing URL
 *   brackets, a zone id and trailing dots;
 * - an IPv6 address that carries an IPv4 address (mapped `::ffff:127.0.0.1` or
 *   `::ffff:7f00:1`, compatible `::127.0.0.1`, translated `::ffff:0:…`, NAT64 `64:ff9b::…`,
 *   6to4 `2002:7f00:1::`) is decided as that IPv4 address: a dual-stack socket or a
 *   translator would deliver it there;
 * - the unspecified address (`0.0.0.0/8`, `::`) is refused on every port: connecting to it
 *   reaches this machine;
 * - the ports of Archipelago's own web server and database are refused on every loopback
 *   address (127.0.0.0/8, ::1) and every address of this machine's interfaces, and, for an
 *   external database, on the addresses its host name resolves to.
 *
 * Names are checked for every DNS answer at connect time (guardedLookup), so DNS
 * rebinding cannot sneak past the check made at registration. The embedding rules and the
 * local-address test are written here because ipaddr.js only unwraps the mapped form.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export class BlockedAddressError extends Error {
  override name = "BlockedAddressError";
  readonly code = "EARCHIPELAGO_BLOCKED";
}

/** Something clusters must never point at. */
export interface ProtectedEndpoint {
  /** What it is, as named in the refusal. */
  role: "database" | "web server";
  port: number;
  /** Addresses it is reached at; `local` adds every loopback and local-interface address. */
  addresses: string[];
  local: boolean;
}

/** The canonical IP of an address literal in any notation, or null when it is not one (a host name). */
export function normalizeAddress(input: string): Address | null {
  let text = input.trim().replace(/^\[|\]$/g, "");
  text = text.replace(/%.*$/, "").replace(/\.+$/, "");
  if (!text || !ipaddr.isValid(text)) return null;
  let address: Address;
  try {
    address = ipaddr.parse(text);
  } catch {
    return null;
  }
  return address.kind() === "ipv6" ? (embeddedIPv4(address as ipaddr.IPv6) ?? address) : address;
}

/** The IPv4 address inside an IPv6 one, for the forms that carry one. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const bytes = address.toByteArray();
  const zero = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  const last4 = () => new ipaddr.IPv4(bytes.slice(12, 16));
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  // IPv4-compatible (deprecated, ::a.b.c.d) but not :: or ::1.
  if (zero(0, 12) && !zero(12, 15)) return last4();
  // IPv4-translated ::ffff:0:a.b.c.d (RFC 6145).
  if (zero(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zero(10, 12)) return last4();
  // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052).
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) return last4();
  // 6to4 2002:AABB:CCDD::/48 (RFC 3056).
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return new ipaddr.IPv4(bytes.slice(2, 6));
  return null;
}

const same = (a: Address, b: Address) => a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();

const METADATA = ["fd00:ec2::254"].map((text) => ipaddr.parse(text));

/** Loopback, or an address of one of this machine's interfaces. */
function isLocal(address: Address): boolean {
  if (address.range() === "loopback") return true;
  for (const entries of Object.values(networkInterfaces()))
    for (const entry of entries ?? []) {
      const own = normalizeAddress(entry.address);
      if (own && same(own, address)) return true;
    }
  return false;
}

/**
 * Why this address and port are refused, in words that name what was refused, or null
 * when allowed. `address` must be an IP literal (any notation); a name is resolved by the caller.
 */
export function isBlockedAddress(
  address: string,
  port: number,
  protectedEndpoints: ProtectedEndpoint[],
): string | null {
  const ip = normalizeAddress(address);
  if (!ip) return "it is not an IP address";
  const range = ip.range();
  if (range === "unspecified")
    return `${ip.toString()} is the unspecified address, which reaches this machine (0.0.0.0 and :: are never allowed)`;
  if (range === "linkLocal" || METADATA.some((entry) => same(entry, ip)))
    return "link-local and cloud metadata addresses are not allowed";
  for (const endpoint of protectedEndpoints) {
    if (endpoint.port !== port) continue;
    const listed = endpoint.addresses.some((candidate) => {
      const other = normalizeAddress(candidate);
      return other !== null && same(other, ip);
    });
    if (listed || (endpoint.local && isLocal(ip)))
      return `${ip.toString()} port ${port} is Archipelago's own ${endpoint.role}`;
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
