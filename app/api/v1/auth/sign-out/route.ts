import { NextResponse } from "next/server";
import { deleteSessionByToken } from "@/lib/server/auth/sessions";
import { publicOrigin } from "@/lib/server/http/public-origin";
import { route } from "@/lib/server/http/route";
import { clearSessionCookie } from "@/lib/server/http/session-cookie";
import { endSessionUrl } from "@/lib/server/sso/sign-out";

// Public so that a stale cookie can always be cleared; the session row is deleted server-side.
// A single sign-on session also gets the provider's end-session URL (RP-initiated logout).
export const POST = route({ access: "public", audit: "auth.sign-out" }, async ({ sessionToken, facts, audit }) => {
  const ended = await deleteSessionByToken(sessionToken);
  const providerLogout = ended?.ssoProviderId
    ? await endSessionUrl(ended.ssoProviderId, `${publicOrigin(facts)}/sign-in`)
    : null;
  if (providerLogout) audit.detail("providerLogout", true);
  const response = NextResponse.json({ ok: true, endSessionUrl: providerLogout });
  clearSessionCookie(response, facts.secure);
  return response;
});
