import { NextResponse } from "next/server";
import { signInBodySchema } from "@/lib/schemas/auth";
import { DEVICE_COOKIE } from "@/lib/server/auth/device-cookie";
import { signIn } from "@/lib/server/auth/sign-in";
import { route } from "@/lib/server/http/route";
import { setDeviceCookie, setSessionCookie } from "@/lib/server/http/session-cookie";

export const POST = route(
  { access: "public", body: signInBodySchema, audit: "auth.sign-in" },
  async ({ request, body, facts, sessionToken, requestId, audit }) => {
    // Failed attempts are audited under the email that was tried.
    audit.actor({ userId: null, email: body.email, via: "password" });
    const result = await signIn(body, {
      clientIp: facts.clientIp,
      userAgent: facts.userAgent,
      previousToken: sessionToken,
      deviceCookie: request.cookies.get(DEVICE_COOKIE)?.value,
      requestId,
    });
    audit.actor({ userId: result.user.id, email: result.user.email, via: "password" });
    const response = NextResponse.json({ user: result.user, expiresAt: result.expiresAt.toISOString() });
    setSessionCookie(response, result.token, result.expiresAt, facts.secure);
    setDeviceCookie(response, result.deviceCookie, facts.secure);
    return response;
  },
);
