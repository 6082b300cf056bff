import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { stampConnectionFacts } from "./connection-facts";
import { requestFacts } from "./request-facts";

function fakeRequest(
  headers: Record<string, string>,
  remoteAddress = "::ffff:10.0.0.5",
  encrypted = false,
): IncomingMessage {
  return {
    headers: { ...headers },
    url: "/clusters?x=1",
    socket: { remoteAddress, encrypted },
  } as unknown as IncomingMessage;
}

function factsOf(request: IncomingMessage) {
  return requestFacts(new Headers(request.headers as Record<string, string>));
}

describe("stampConnectionFacts", () => {
  it("takes the address from the socket and overwrites forged internal headers", () => {
    const request = fakeRequest({
      "x-archipelago-client-ip": "1.2.3.4",
      "x-archipelago-proto": "https",
      "x-forwarded-for": "9.9.9.9",
    });
    stampConnectionFacts(request, false);
    expect(factsOf(request)).toMatchObject({ clientIp: "10.0.0.5", secure: false });
    expect(request.headers["x-archipelago-path"]).toBe("/clusters?x=1");
  });

  it("marks TLS connections secure so the session cookie gets the Secure flag", () => {
    const request = fakeRequest({}, "127.0.0.1", true);
    stampConnectionFacts(request, false);
    expect(factsOf(request).secure).toBe(true);
  });

  it("believes X-Forwarded-* only behind a trusted proxy, using the address the proxy appended", () => {
    const request = fakeRequest({ "x-forwarded-for": "6.6.6.6, 203.0.113.9", "x-forwarded-proto": "https" });
    stampConnectionFacts(request, true);
    expect(factsOf(request)).toMatchObject({ clientIp: "203.0.113.9", secure: true });
  });
});
