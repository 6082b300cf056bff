import { route } from "@/lib/server/http/route";
import { SSO_BROWSER_COOKIE, ssoCallbackResponse } from "@/lib/server/http/sso-responses";

/**
 * Where the provider sends the browser back; answers with a redirect (dashboard, or sign-in
 * with the reason). Providers add parameters of their own (iss, session_state, scope …), all
 * passed on to openid-client; the query's limits are checked in ssoCallbackResponse, so that
 * bad input also lands on the sign-in page.
 */
export const GET = route(
  { access: "public", queryCheckedByHandler: true },
  async ({ request, facts, sessionToken, requestId }) =>
    ssoCallbackResponse({
      query: request.nextUrl.searchParams,
      browserBinding: request.cookies.get(SSO_BROWSER_COOKIE)?.value,
      sessionToken,
      facts,
      requestId,
    }),
);
