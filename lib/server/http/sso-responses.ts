import "server-only";
import { NextResponse } from "next/server";
import type { SsoErrorCode, SsoErrorDetail } from "@/lib/schemas/sso";
import { z } from "zod";
import { recordAuditStart } from "@/lib/server/audit/record";
import { deleteSessionByToken } from "@/lib/server/auth/sessions";
import { logger } from "@/lib/server/log/logger";
import {
  completeSsoSignIn,
  SSO_CALLBACK_PATH,
  SsoCallbackError,
  startSsoSignIn,
  type SsoSignInResult,
} from "@/lib/server/sso/sign-in-flow";
import { auditSsoFailure, auditSsoSignIn } from "@/lib/server/sso/sign-in-audit";
import { SsoError } from "@/lib/server/sso/oidc-client";
import { publicOrigin } from "./public-origin";
import type { RequestFacts } from "./request-facts";
import { setSessionCookie } from "./session-cookie";

/** Binds a sign-in's state to the browser that started it; only the callback path sees it. */
export const SSO_BROWSER_COOKIE = "archipelago_sso";
const COOKIE_PATH = "/api/v1/auth/sso";

export const ssoRedirectUri = (facts: RequestFacts) => `${publicOrigin(facts)}${SSO_CALLBACK_PATH}`;

function signInPageWithError(facts: RequestFacts, code: SsoErrorCode, detail?: SsoErrorDetail): NextResponse {
  const url = new URL("/sign-in", publicOrigin(facts));
  url.searchParams.set("sso_error", code);
  if (detail) url.searchParams.set("sso_detail", detail);
  const response = NextResponse.redirect(url, 303);
  response.cookies.set({ name: SSO_BROWSER_COOKIE, value: "", path: COOKIE_PATH, maxAge: 0, httpOnly: true });
  return response;
}

export async function ssoStartResponse(input: { slug: string; next: string | undefined; facts: RequestFacts }) {
  try {
    const started = await startSsoSignIn({
      slug: input.slug,
      returnTo: input.next,
      redirectUri: ssoRedirectUri(input.facts),
    });
    const response = NextResponse.redirect(started.url, 303);
    response.cookies.set({
      name: SSO_BROWSER_COOKIE,
      value: started.browserBinding,
      httpOnly: true,
      // Lax: the provider's redirect back is a top-level GET, which carries Lax cookies.
      sameSite: "lax",
      secure: input.facts.secure,
      path: COOKIE_PATH,
      maxAge: 600,
    });
    return response;
  } catch (error) {
    if (error instanceof SsoError) return signInPageWithError(input.facts, error.code, error.detail);
    throw error;
  }
}

/** The callback's own limits: over them (or with control characters) the sign-in page says so, not a JSON 400. */
const callbackQuerySchema = z.looseObject({
  state: z.string().max(512).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2000).optional(),
});
const hasControlCharacter = (value: string) => /[\u0000-\u001f\u007f]/.test(value);

function callbackInputProblem(query: URLSearchParams): boolean {
  if ([...query.keys()].length > 50) return true;
  for (const [key, value] of query)
    if (key.length > 100 || value.length > 4096 || hasControlCharacter(value)) return true;
  return !callbackQuerySchema.safeParse(Object.fromEntries(query)).success;
}

export async function ssoCallbackResponse(input: {
  query: URLSearchParams;
  browserBinding: string | undefined;
  sessionToken: string | undefined;
  facts: RequestFacts;
  requestId: string;
}) {
  const meta = { requestId: input.requestId, clientIp: input.facts.clientIp };
  if (callbackInputProblem(input.query)) {
    await auditSsoFailure(new SsoCallbackError(new SsoError("callback_invalid"), null, null), meta).catch(() => {});
    return signInPageWithError(input.facts, "callback_invalid");
  }
  // Fail closed, as route() does for mutations: a sign-in whose start cannot be recorded
  // changes nothing (the callback is a GET, so route() does not write this row).
  try {
    await recordAuditStart({
      actor: null,
      action: "auth.sso.sign-in",
      requestId: input.requestId,
      clientIp: input.facts.clientIp,
      path: SSO_CALLBACK_PATH,
    });
  } catch {
    return signInPageWithError(input.facts, "audit_unavailable");
  }
  let result: SsoSignInResult;
  try {
    result = await completeSsoSignIn({
      query: input.query,
      browserBinding: input.browserBinding,
      redirectUri: ssoRedirectUri(input.facts),
      previousSessionToken: input.sessionToken,
      clientIp: input.facts.clientIp,
      userAgent: input.facts.userAgent,
    });
  } catch (error) {
    if (!(error instanceof SsoCallbackError)) throw error;
    // Nothing was changed, and the start row names the request: the refusal is shown either way.
    await auditSsoFailure(error, meta).catch(() => {});
    return signInPageWithError(input.facts, error.code, error.detail);
  }
  try {
    await auditSsoSignIn(result, meta);
  } catch (error) {
    // The user and memberships are what the provider said (and the start row names this
    // request), but a sign-in whose outcome is not recorded does not let anyone in.
    await deleteSessionByToken(result.token);
    logger.error(
      { requestId: input.requestId, errorName: error instanceof Error ? error.name : "unknown" },
      "audit write failed; the single sign-on session is withdrawn",
    );
    return signInPageWithError(input.facts, "audit_unavailable");
  }
  const response = NextResponse.redirect(new URL(result.returnTo, publicOrigin(input.facts)), 303);
  setSessionCookie(response, result.token, result.expiresAt, input.facts.secure);
  response.cookies.set({ name: SSO_BROWSER_COOKIE, value: "", path: COOKIE_PATH, maxAge: 0, httpOnly: true });
  return response;
}
