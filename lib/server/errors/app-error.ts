import "server-only";

export type FieldErrors = Record<string, string[]>;

export type ErrorCode =
  | "validation_failed"
  | "malformed_json"
  | "unsupported_media_type"
  | "payload_too_large"
  | "unauthenticated"
  | "invalid_credentials"
  | "forbidden"
  | "origin_rejected"
  | "not_found"
  | "conflict"
  | "setup_complete"
  | "rate_limited"
  | "cluster_error"
  | "cluster_timeout"
  | "credential_unavailable"
  | "audit_unavailable"
  | "password_sign_in_off"
  | "sso_provider_error"
  | "internal";

/**
 * The one error type of the server. Anything thrown that is not an AppError is treated
 * as a bug: answered with a generic 500 and logged without its details reaching the client.
 * Messages must be safe to show: never put a credential, secret value or remote response in them.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly options: {
      fields?: FieldErrors;
      headers?: Record<string, string>;
      /** A fuller message for callers the access policy lets see key ids (http/route.ts picks it); else `message`. */
      keyIdMessage?: string;
    } = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** Brand check that also holds across server bundles (see isClusterCallError). */
export function isAppError(error: unknown): error is AppError {
  return (
    error instanceof AppError ||
    (error instanceof Error &&
      error.name === "AppError" &&
      typeof (error as { status?: unknown }).status === "number" &&
      typeof (error as { code?: unknown }).code === "string")
  );
}

export const validationFailed = (fields: FieldErrors, message = "Some fields are invalid") =>
  new AppError(400, "validation_failed", message, { fields });

export const unauthenticated = () => new AppError(401, "unauthenticated", "Sign in to continue");

export const forbidden = (message = "You do not have permission to do this") => new AppError(403, "forbidden", message);

export const notFound = (what = "Resource") => new AppError(404, "not_found", `${what} not found`);

export const conflict = (message: string, fields?: FieldErrors) => new AppError(409, "conflict", message, { fields });

export const rateLimited = (retryAfterSeconds: number) =>
  new AppError(429, "rate_limited", `Too many attempts. Try again in ${retryAfterSeconds} seconds.`, {
    headers: { "Retry-After": String(retryAfterSeconds) },
  });
