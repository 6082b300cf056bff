import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import {
  BlockedAddressError,
  guardedLookup,
  isBlockedAddress,
  normalizeAddress,
  type ProtectedEndpoint,
} from "./address-guard";

const DB = 54329;
const APP = 3000;
const endpoints: ProtectedEndpoint[] = [
  { role: "database", port: DB, addresses: [], local: true },
  { role: "web server", port: APP, addresses: [], local: true },
  { role: "database", port: 5432, addresses: ["10.20.30.40"], local: false },
];

/** What a URL's host looks like after the WHATWG parser, and raw forms the guard must read itself. */
const loopbackSpellings = [
  "127.0.0.1",
  "127.1",
  "127.0.0.2",
  "127.255.255.254",
  "2130706433",
  "0x7f000001",
  "0177.0.0.1",
  "0x7f.1",
  "0x7f.0.0.1",
  "127.0.0.1.",
  "127.0.0.1..",
  "[127.0.0.1]",
  "::1",
  "[::1]",
  "0:0:0:0:0:0:0:1",
  "::ffff:127.0.0.1",
  "[::ffff:127.0.0.1]",
  "::ffff:7f00:1",
  "[::ffff:7f00:1]",
  "0:0:0:0:0:ffff:7f00:1",
  "0000:0000:0000:0000:0000:FFFF:7F00:0001",
  "::FFFF:127.0.0.1",
  "::127.0.0.1",
  "[::127.0.0.1]",
  "::7f00:1",
  "::ffff:0:127.0.0.1",
  "64:ff9b::127.0.0.1",
  "64:ff9b::7f00:1",
  "2002:7f00:1::",
  "::1%lo",
];

const unspecifiedSpellings = [
  "0.0.0.0",
  "0",
  "0x0",
  "00.0.0.0",
  "0.0.0.0.",
  "::",
  "[::]",
  "0:0:0:0:0:0:0:0",
  "::ffff:0.0.0.0",
  "::ffff:0:0",
  "0.1.2.3",
];

describe("normalizeAddress", () => {
  it.each(loopbackSpellings)("%s is a loopback address", (spelling) => {
    expect(normalizeAddress(spelling)?.range()).toBe("loopback");
  });
  it.each([
    ["2130706433", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["[::ffff:7f00:1]", "127.0.0.1"],
    ["::127.0.0.1", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["169.254.169.254.", "169.254.169.254"],
  ])("%s is %s", (spelling, canonical) => {
    expect(normalizeAddress(spelling)?.toString()).toBe(canonical);
  });
  it.each(["cluster.example.com", "localhost", "localhost.", "", "1.2.3.4.5", "::ffff::1::"])(
    "%s is not an address literal",
    (text) => {
      expect(normalizeAddress(text)).toBeNull();
    },
  );
});

describe("isBlockedAddress", () => {
  it.each(loopbackSpellings)("%s on the embedded database port is refused as the database", (spelling) => {
    expect(isBlockedAddress(spelling, DB, endpoints)).toMatch(/Archipelago's own database$/);
  });
  it.each(loopbackSpellings)("%s on the web server port is refused as the web server, not the database", (spelling) => {
    const reason = isBlockedAddress(spelling, APP, endpoints);
    expect(reason).toMatch(/Archipelago's own web server$/);
    expect(reason).not.toMatch(/database/);
  });
  it.each(unspecifiedSpellings.flatMap((spelling) => [DB, APP, 443, 16443].map((port) => [spelling, port] as const)))(
    "%s port %i is refused as the unspecified address",
    (spelling, port) => {
      expect(isBlockedAddress(spelling, port, endpoints)).toMatch(/unspecified address/);
    },
  );
  it.each([
    "169.254.169.254",
    "::ffff:169.254.169.254",
    "::ffff:a9fe:a9fe",
    "2852039166",
    "0xa9.0xfe.0xa9.0xfe",
    "fe80::1",
    "[fe80::1%eth0]",
    "fd00:ec2::254",
  ])("%s (link-local or metadata) is refused on any port", (spelling) => {
    expect(isBlockedAddress(spelling, 80, endpoints)).toMatch(/link-local and cloud metadata/);
  });
  it("an external database is refused at its resolved address and port, in any spelling", () => {
    for (const spelling of ["10.20.30.40", "::ffff:10.20.30.40", "::ffff:a14:1e28", "169090600", "012.024.036.050"])
      expect(isBlockedAddress(spelling, 5432, endpoints)).toMatch(/own database/);
    expect(isBlockedAddress("10.20.30.40", 6443, endpoints)).toBeNull();
  });
  it("every address of this machine's interfaces is local", () => {
    const own = Object.values(networkInterfaces())
      .flat()
      .map((entry) => entry?.address)
      .filter((address): address is string => Boolean(address) && !address!.startsWith("fe80"));
    expect(own.length).toBeGreaterThan(0);
    for (const address of own) expect(isBlockedAddress(address, DB, endpoints)).toMatch(/own database/);
  });
  it.each([
    ["127.0.0.1", 16443],
    ["127.0.0.1", 18443],
    ["::1", 16444],
    ["::ffff:127.0.0.1", 16445],
    ["10.0.0.5", 6443],
    ["192.168.1.10", 443],
    ["2001:db8::1", 6443],
    ["8.8.8.8", 54329],
  ])("%s port %i is allowed (testbed clusters and real clusters)", (address, port) => {
    expect(isBlockedAddress(address, port, endpoints)).toBeNull();
  });
});

describe("guardedLookup (DNS answers at connect time)", () => {
  const lookup = (hostname: string, port: number) =>
    new Promise<{ error: Error | null; address: unknown }>((resolve) =>
      guardedLookup(port, () => endpoints)(hostname, {}, (error, address) => resolve({ error, address })),
    );
  it.each(["localhost", "127.0.0.1", "LOCALHOST"])(
    "%s resolving to loopback is refused on the database port, naming it",
    async (hostname) => {
      const { error } = await lookup(hostname, DB);
      expect(error).toBeInstanceOf(BlockedAddressError);
      expect(error?.message).toMatch(/resolves to a refused address: .*Archipelago's own database/);
    },
  );
  it.each(["localhost.", "127.0.0.1."])("%s never yields an address on the database port", async (hostname) => {
    const { error, address } = await lookup(hostname, DB);
    expect(error).not.toBeNull();
    expect(address).toEqual([]);
  });
  it("a loopback answer on another port is allowed (the testbed's clusters)", async () => {
    const { error, address } = await lookup("localhost", 16443);
    expect(error).toBeNull();
    expect(String(address)).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
