import { NextResponse } from "next/server";
import { signInBodySchema } from "@/lib/schemas/auth";
import { signIn } from "@/lib/server/auth/sign-in";
import { route } from "@/lib/server/http/route";
import { setSessionCookie } from "@/lib/server/http/session-cookie";

export const POST = route({ access: "public", body: signInBodySchema }, async ({ body, facts, sessionToken, requestId }) => {
  const result = await signIn(body, {
    clientIp: facts.clientIp,
    userAgent: facts.userAgent,
    previousToken: sessionToken,
    requestId,
  });
  const response = NextResponse.json({ user: result.user, expiresAt: result.expiresAt.toISOString() });
  setSessionCookie(response, result.token, result.expiresAt, facts.secure);
  return response;
});
