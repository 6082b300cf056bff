import "server-only";
import * as client from "openid-client";
import type { SsoErrorCode, SsoErrorDetail } from "@/lib/schemas/sso";
import { guardedFetch } from "./guarded-fetch";
import { isLoopbackHost } from "./issuer-url";

/** Seconds for each call to a provider (discovery, JWKS, token, userinfo). */
const PROVIDER_TIMEOUT_SECONDS = 10;

/** A sign-in failure with what the sign-in page may say about it (codes, never provider text). */
export class SsoError extends Error {
  override name = "SsoError";
  constructor(
    readonly code: SsoErrorCode,
    readonly detail?: SsoErrorDetail,
  ) {
    super(detail ? `${code} (${detail})` : code);
  }
}

/**
 * Discovery of the issuer, then a client configuration for it. Done for every sign-in and
 * callback rather than cached: a sign-in is rare next to the cost of one metadata and one
 * JWKS fetch, and so a provider's key rotation (or any metadata change) applies at once.
 */
export async function discoverProvider(input: { issuer: string; clientId: string; clientSecret?: string }) {
  const issuer = new URL(input.issuer);
  return client.discovery(
    issuer,
    input.clientId,
    input.clientSecret === undefined ? undefined : { client_secret: input.clientSecret },
    input.clientSecret === undefined ? client.None() : client.ClientSecretBasic(input.clientSecret),
    {
      [client.customFetch]: guardedFetch,
      timeout: PROVIDER_TIMEOUT_SECONDS,
      // The ID token's signature is checked against the provider's JWKS even though it came
      // straight from the token endpoint (openid-client skips that by default, as OIDC allows).
      execute: [
        client.enableNonRepudiationChecks,
        ...(isLoopbackHost(issuer.hostname) ? [client.allowInsecureRequests] : []),
      ],
    },
  );
}

function messages(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    parts.push(`${current.name}: ${current.message}`, (current as { code?: string }).code ?? "");
    current = current.cause;
  }
  return parts.join(" | ");
}

/** Network trouble reaching the provider (refused, timeout, DNS, blocked address, bad status). */
export function isUnreachable(error: unknown): boolean {
  return /fetch failed|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|TimeoutError|OAUTH_TIMEOUT|OAUTH_ABORT|BlockedAddressError|operation timed out/i.test(
    messages(error),
  );
}

/** Which check of an ID token or callback failed, from openid-client's error chain. */
export function classifyTokenError(error: unknown): SsoErrorDetail {
  const text = messages(error);
  if (/signature/i.test(text)) return "signature";
  if (/"aud"|audience|"azp"/i.test(text)) return "audience";
  if (/"iss"|issuer/i.test(text)) return "issuer";
  if (/"exp"|expiration|"iat"|"nbf"|timestamp/i.test(text)) return "expired";
  if (/nonce/i.test(text)) return "nonce";
  if (/"state"|\bstate\b/i.test(text)) return "state";
  if (/no applicable keys|key selection/i.test(text)) return "signature";
  return "other";
}

/** Turns any error of a sign-in's provider calls into what the user is told. */
export function toSsoError(error: unknown): SsoError {
  if (error instanceof SsoError) return error;
  if (error instanceof client.AuthorizationResponseError)
    return new SsoError("provider_denied", providerErrorDetail(error.error));
  if (isClientRejected(error)) return new SsoError("provider_misconfigured", "invalid_client");
  if (error instanceof client.ResponseBodyError)
    return error.error === "invalid_client"
      ? new SsoError("provider_misconfigured", "invalid_client")
      : new SsoError("token_invalid", "other");
  if (isUnreachable(error)) return new SsoError("provider_unreachable");
  return new SsoError("token_invalid", classifyTokenError(error));
}

/** The provider refused our client id or secret (a body error, or a 401 challenge for HTTP Basic). */
export function isClientRejected(error: unknown): boolean {
  if (error instanceof client.ResponseBodyError) return error.error === "invalid_client" || error.status === 401;
  if (error instanceof client.WWWAuthenticateChallengeError)
    return error.status === 401 || error.cause.some((challenge) => challenge.parameters.error === "invalid_client");
  return false;
}

const PROVIDER_ERRORS = new Set([
  "access_denied",
  "login_required",
  "consent_required",
  "server_error",
  "temporarily_unavailable",
]);

export function providerErrorDetail(code: string | null | undefined): SsoErrorDetail {
  return code && PROVIDER_ERRORS.has(code) ? (code as SsoErrorDetail) : "other";
}

export { client };
