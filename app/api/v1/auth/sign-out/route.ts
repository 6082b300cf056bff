import { NextResponse } from "next/server";
import { deleteSessionByToken } from "@/lib/server/auth/sessions";
import { route } from "@/lib/server/http/route";
import { clearSessionCookie } from "@/lib/server/http/session-cookie";

// Public so that a stale cookie can always be cleared; the session row is deleted server-side.
export const POST = route({ access: "public", audit: "auth.sign-out" }, async ({ sessionToken, facts }) => {
  await deleteSessionByToken(sessionToken);
  const response = NextResponse.json({ ok: true });
  clearSessionCookie(response, facts.secure);
  return response;
});
