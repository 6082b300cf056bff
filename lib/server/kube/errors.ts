import "server-only";
import { ApiException } from "@kubernetes/client-node";
import { AppError, isAppError } from "@/lib/server/errors/app-error";

/**
 * Every failure talking to a cluster becomes one of these codes with a plain-words
 * message. What the remote server answered is never included: a cluster is an untrusted
 * peer and its response body may echo request material.
 */
export type ClusterErrorCode =
  | "timeout"
  | "connection_refused"
  | "dns"
  | "unreachable"
  | "connection_reset"
  | "tls_unknown_authority"
  | "tls_hostname_mismatch"
  | "tls_expired"
  | "tls_handshake"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "invalid"
  | "redirect_refused"
  | "blocked_address"
  | "server_error"
  | "bad_response"
  | "credential_unavailable"
  | "unknown";

export class ClusterCallError extends Error {
  override name = "ClusterCallError";
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/**
 * Next.js may load this module once per server bundle (routes, instrumentation), while
 * transports are shared through globalThis, so an error can come from another copy of
 * its class: `instanceof` is not enough, the name and code are checked as well.
 */
export function isClusterCallError(error: unknown): error is ClusterCallError {
  return (
    error instanceof ClusterCallError ||
    (error instanceof Error &&
      error.name === "ClusterCallError" &&
      typeof (error as { code?: unknown }).code === "string")
  );
}

const isNamed = (error: unknown, name: string): error is Error => error instanceof Error && error.name === name;

export class ClusterTimeoutError extends Error {
  override name = "ClusterTimeoutError";
  readonly code = "EARCHIPELAGO_TIMEOUT";
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

const UNKNOWN_AUTHORITY = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
]);

export function classifyHttpStatus(status: number): ClusterCallError | null {
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) {
    return new ClusterCallError(
      "redirect_refused",
      `The server answered with a redirect (HTTP ${status}); Archipelago does not follow redirects from clusters`,
      status,
    );
  }
  if (status === 401)
    return new ClusterCallError("unauthorized", "The credential was rejected (401 Unauthorized)", status);
  if (status === 403)
    return new ClusterCallError("forbidden", "The credential is not allowed to do this (403 Forbidden)", status);
  if (status === 404) return new ClusterCallError("not_found", "Not found on the cluster (404)", status);
  if (status === 409) return new ClusterCallError("conflict", "The cluster reported a conflict (409)", status);
  if (status === 422)
    return new ClusterCallError("invalid", "The cluster rejected the object as invalid (422)", status);
  if (status === 429) return new ClusterCallError("server_error", "The cluster is throttling requests (429)", status);
  if (status >= 500) return new ClusterCallError("server_error", `The API server failed (HTTP ${status})`, status);
  return new ClusterCallError("bad_response", `Unexpected HTTP ${status} from the API server`, status);
}

/** Maps anything thrown while talking to a cluster to a ClusterCallError. */
export function classifyClusterError(error: unknown): ClusterCallError {
  if (isClusterCallError(error)) return error;
  // The stored credential did not open (clusters/credential-vault.ts): its message names the cluster and key id.
  if (isAppError(error) && error.code === "credential_unavailable")
    return new ClusterCallError("credential_unavailable", error.message);
  if (isNamed(error, "ClusterTimeoutError")) {
    return new ClusterCallError(
      "timeout",
      `No answer within ${formatSeconds((error as ClusterTimeoutError).timeoutMs)}`,
    );
  }
  if (isNamed(error, "BlockedAddressError")) return new ClusterCallError("blocked_address", error.message);
  if (error instanceof ApiException) {
    return (
      classifyHttpStatus(error.code) ??
      new ClusterCallError("bad_response", "The API server's answer could not be read")
    );
  }
  const code = (error as { code?: unknown })?.code;
  switch (typeof code === "string" ? code : "") {
    case "ECONNREFUSED":
      return new ClusterCallError("connection_refused", "Connection refused: nothing is listening at that address");
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NODATA":
      return new ClusterCallError("dns", "DNS lookup failed: the host name does not resolve");
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return new ClusterCallError("unreachable", "The address is unreachable from Archipelago");
    case "ECONNRESET":
    case "EPIPE":
    case "ERR_STREAM_PREMATURE_CLOSE":
      return new ClusterCallError("connection_reset", "The connection was closed by the server");
    case "ETIMEDOUT":
      return new ClusterCallError("timeout", "The connection timed out");
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return new ClusterCallError("tls_hostname_mismatch", "The server's certificate is not valid for this host name");
    case "CERT_HAS_EXPIRED":
    case "CERT_NOT_YET_VALID":
      return new ClusterCallError("tls_expired", "The server's certificate is expired or not yet valid");
    case "EPROTO":
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      return new ClusterCallError(
        "tls_handshake",
        "The TLS handshake failed (is this an HTTPS Kubernetes API endpoint?)",
      );
    default:
      if (typeof code === "string" && UNKNOWN_AUTHORITY.has(code)) {
        return new ClusterCallError(
          "tls_unknown_authority",
          "Unknown certificate authority: the server's certificate is not signed by the configured CA",
        );
      }
      if (typeof code === "string" && code.startsWith("ERR_SSL")) {
        return new ClusterCallError("tls_handshake", "The TLS handshake failed");
      }
      return new ClusterCallError("unknown", "The request to the cluster failed");
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A cluster's failure as the answer to the request that needed it: 504 when it did not
 * answer in time, 403 when it refused the caller, 502 otherwise, naming the cluster and
 * never including what it answered. AppErrors (not found, forbidden by our policy) pass.
 */
export function clusterFailure(clusterName: string | null, error: unknown): unknown {
  if (isAppError(error)) return error;
  const classified = classifyClusterError(error);
  const who = clusterName ? `Cluster ${clusterName}` : "The cluster";
  if (classified.code === "timeout") return new AppError(504, "cluster_timeout", `${who} did not answer in time`);
  if (classified.code === "forbidden")
    return new AppError(403, "forbidden", `${who} refused this request (403 Forbidden)`);
  return new AppError(502, "cluster_error", `${who} failed: ${classified.message}`);
}

/** Runs work against one cluster, turning its failures into clusterFailure answers. */
export async function answeringForCluster<T>(clusterName: string | null, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw clusterFailure(clusterName, error);
  }
}
