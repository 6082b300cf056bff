import { z } from "zod";
import { route } from "@/lib/server/http/route";
import { SSO_BROWSER_COOKIE, ssoCallbackResponse } from "@/lib/server/http/sso-responses";

// Providers add parameters of their own (iss, session_state, scope …): all are passed on to openid-client.
const callbackQuerySchema = z.looseObject({
  state: z.string().max(512).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(256).optional(),
});

/** Where the provider sends the browser back; answers with a redirect (dashboard, or sign-in with the reason). */
export const GET = route(
  { access: "public", query: callbackQuerySchema },
  async ({ request, facts, sessionToken, requestId }) =>
    ssoCallbackResponse({
      query: request.nextUrl.searchParams,
      browserBinding: request.cookies.get(SSO_BROWSER_COOKIE)?.value,
      sessionToken,
      facts,
      requestId,
    }),
);
