import "server-only";
import { ApiException } from "@kubernetes/client-node";
import { isAppError } from "@/lib/server/errors/app-error";
import { classifyClusterError, isClusterCallError, type ClusterErrorCode } from "@/lib/server/kube/errors";
import { logger } from "@/lib/server/log/logger";

/**
 * Every error caught while writing a release (a rollout target, a rollback, a heal) is classified
 * here, once, into one of three causes, so none is reported as another:
 * - the cluster failed (timeout, refused, TLS, an HTTP status …): its kind and plain words;
 * - a stored column does not parse (CorruptColumnError from columns.ts): the column named;
 * - anything else is our own bug (a TypeError, a database error): "internal error" on the
 *   target or drift row, and the error's name and stack frames in the log, never its message
 *   (which may quote a value: a rendered secret, a parameter).
 */
export type Failure =
  | { cause: "cluster"; code: ClusterErrorCode; message: string }
  | { cause: "corrupt"; code: "corrupt_column"; message: string }
  | { cause: "internal"; code: "internal"; message: string; errorName: string };

export const INTERNAL_ERROR = "internal error";

/** System error codes a socket or TLS stack raises talking to a cluster. */
const NETWORK_CODE =
  /^(E[A-Z]+|ERR_SSL.*|ERR_TLS.*|ERR_STREAM_PREMATURE_CLOSE|CERT_.*|UNABLE_TO_.*|SELF_SIGNED_.*|DEPTH_ZERO_.*)$/;

/** True for what a cluster call throws; false for our own code's errors. */
export function isClusterFailure(error: unknown): boolean {
  if (isClusterCallError(error) || error instanceof ApiException) return true;
  // A stored credential that does not open with the current keys is this cluster's state, named
  // with the cluster and key id (clusters/credential-vault.ts), not a bug of ours.
  if (isAppError(error) && error.code === "credential_unavailable") return true;
  if (!(error instanceof Error)) return false;
  if (["ClusterTimeoutError", "BlockedAddressError", "AbortError"].includes(error.name)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && NETWORK_CODE.test(code);
}

export function classifyFailure(error: unknown): Failure {
  if (error instanceof Error && error.name === "CorruptColumnError")
    return { cause: "corrupt", code: "corrupt_column", message: error.message };
  if (isClusterFailure(error)) {
    const classified = classifyClusterError(error);
    return { cause: "cluster", code: classified.code, message: classified.message };
  }
  return {
    cause: "internal",
    code: "internal",
    message: INTERNAL_ERROR,
    errorName: error instanceof Error ? error.name : typeof error,
  };
}

/** A stack without its first line (the message): where the bug is, never what value it held. */
export const stackFrames = (error: unknown): string =>
  error instanceof Error
    ? (error.stack ?? "")
        .split("\n")
        .filter((line) => /^\s+at /.test(line))
        .join("\n")
    : "";

/**
 * Logs a classified failure once: a warning for a cluster's or a column's, an error with name
 * and stack frames for ours. `event` and `code` are stable, for metrics.
 */
export function logFailure(failure: Failure, error: unknown, fields: Record<string, unknown>, event: string): void {
  if (failure.cause === "internal")
    logger.error(
      { ...fields, event, code: failure.code, errorName: failure.errorName, stack: stackFrames(error) },
      "internal error (a bug) while writing a release",
    );
  else logger.warn({ ...fields, event, code: failure.code }, failure.message);
}
