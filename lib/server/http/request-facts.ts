import "server-only";

/**
 * Facts about the connection that only the Node server knows. scripts/start.ts strips any
 * incoming copy of these headers and sets them from the socket (or, with
 * ARCHIPELAGO_TRUST_PROXY, from X-Forwarded-*), so a client cannot forge them.
 */
export const CLIENT_IP_HEADER = "x-archipelago-client-ip";
export const PROTO_HEADER = "x-archipelago-proto";
/** The requested path and query, so a layout can send the user back after sign-in. */
export const PATH_HEADER = "x-archipelago-path";

export interface RequestFacts {
  clientIp: string | null;
  secure: boolean;
  host: string | null;
  origin: string | null;
  userAgent: string | null;
}

export function requestFacts(headers: Headers): RequestFacts {
  return {
    clientIp: headers.get(CLIENT_IP_HEADER) || null,
    secure: headers.get(PROTO_HEADER) === "https",
    host: headers.get("host"),
    origin: headers.get("origin"),
    userAgent: headers.get("user-agent"),
  };
}
