import "server-only";
import type { IncomingMessage } from "node:http";
import { CLIENT_IP_HEADER, PATH_HEADER, PROTO_HEADER } from "./request-facts";

/**
 * Runs in the Node server before Next.js sees a request: writes the client address,
 * scheme and path into internal headers, always overwriting what the client sent.
 * X-Forwarded-* is believed only when a trusted reverse proxy is configured.
 */
export function stampConnectionFacts(request: IncomingMessage, trustProxy: boolean): void {
  let clientIp = request.socket.remoteAddress ?? null;
  let proto = "encrypted" in request.socket && request.socket.encrypted ? "https" : "http";
  if (trustProxy) {
    // The proxy appends the address it saw; the last entry is the one we can trust.
    const forwardedFor = headerValue(request, "x-forwarded-for")
      ?.split(",")
      .map((part) => part.trim())
      .filter(Boolean);
    clientIp = forwardedFor?.at(-1) ?? clientIp;
    const forwardedProto = headerValue(request, "x-forwarded-proto")?.split(",")[0]?.trim();
    if (forwardedProto === "https" || forwardedProto === "http") proto = forwardedProto;
  }
  request.headers[CLIENT_IP_HEADER] = normaliseAddress(clientIp) ?? "";
  request.headers[PROTO_HEADER] = proto;
  request.headers[PATH_HEADER] = request.url ?? "/";
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function normaliseAddress(address: string | null): string | null {
  if (!address) return null;
  return address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
}
