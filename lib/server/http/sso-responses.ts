import "server-only";
import { NextResponse } from "next/server";
import type { SsoErrorCode, SsoErrorDetail } from "@/lib/schemas/sso";
import { completeSsoSignIn, SSO_CALLBACK_PATH, SsoCallbackError, startSsoSignIn } from "@/lib/server/sso/sign-in-flow";
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

export async function ssoCallbackResponse(input: {
  query: URLSearchParams;
  browserBinding: string | undefined;
  sessionToken: string | undefined;
  facts: RequestFacts;
  requestId: string;
}) {
  const meta = { requestId: input.requestId, clientIp: input.facts.clientIp };
  try {
    const result = await completeSsoSignIn({
      query: input.query,
      browserBinding: input.browserBinding,
      redirectUri: ssoRedirectUri(input.facts),
      previousSessionToken: input.sessionToken,
      clientIp: input.facts.clientIp,
      userAgent: input.facts.userAgent,
    });
    await auditSsoSignIn(result, meta);
    const response = NextResponse.redirect(new URL(result.returnTo, publicOrigin(input.facts)), 303);
    setSessionCookie(response, result.token, result.expiresAt, input.facts.secure);
    response.cookies.set({ name: SSO_BROWSER_COOKIE, value: "", path: COOKIE_PATH, maxAge: 0, httpOnly: true });
    return response;
  } catch (error) {
    if (!(error instanceof SsoCallbackError)) throw error;
    await auditSsoFailure(error, meta);
    return signInPageWithError(input.facts, error.code, error.detail);
  }
}
