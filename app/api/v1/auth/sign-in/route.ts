import { NextResponse } from "next/server";
import { signInBodySchema } from "@/lib/schemas/auth";
import { signIn } from "@/lib/server/auth/sign-in";
import { route } from "@/lib/server/http/route";
import { setSessionCookie } from "@/lib/server/http/session-cookie";

export const POST = route(
  { access: "public", body: signInBodySchema, audit: "auth.sign-in" },
  async ({ body, facts, sessionToken, requestId, audit }) => {
    // Failed attempts are audited under the email that was tried.
    audit.actor({ userId: null, email: body.email, via: "password" });
    const result = await signIn(body, {
      clientIp: facts.clientIp,
      userAgent: facts.userAgent,
      previousToken: sessionToken,
      requestId,
    });
    audit.actor({ userId: result.user.id, email: result.user.email, via: "password" });
    const response = NextResponse.json({ user: result.user, expiresAt: result.expiresAt.toISOString() });
    setSessionCookie(response, result.token, result.expiresAt, facts.secure);
    return response;
  },
);
