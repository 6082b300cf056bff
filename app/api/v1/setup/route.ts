import { NextResponse } from "next/server";
import { setupBodySchema } from "@/lib/schemas/auth";
import { createFirstAdmin, needsFirstAdmin } from "@/lib/server/auth/first-admin";
import { createSession } from "@/lib/server/auth/sessions";
import { route } from "@/lib/server/http/route";
import { setSessionCookie } from "@/lib/server/http/session-cookie";

export const GET = route({ access: "public" }, async () => ({ needsSetup: await needsFirstAdmin() }));

/** One-time creation of the first admin; refuses with 409 as soon as any user exists. */
export const POST = route(
  { access: "public", body: setupBodySchema, audit: "auth.first-admin" },
  async ({ body, facts, audit }) => {
    const user = await createFirstAdmin(body);
    audit.actor({ userId: user.id, email: user.email, via: "password" });
    const session = await createSession(user.id, { clientIp: facts.clientIp, userAgent: facts.userAgent });
    const response = NextResponse.json({ user }, { status: 201 });
    setSessionCookie(response, session.token, session.expiresAt, facts.secure);
    return response;
  },
);
