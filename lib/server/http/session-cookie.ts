import "server-only";
import type { NextResponse } from "next/server";
import { SESSION_COOKIE } from "@/lib/server/auth/session-token";

export function setSessionCookie(response: NextResponse, token: string, expiresAt: Date, secure: boolean): void {
  response.cookies.set({
    name: SESSION_COOKIE,
    value: token,
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    expires: expiresAt,
  });
}

export function clearSessionCookie(response: NextResponse, secure: boolean): void {
  response.cookies.set({
    name: SESSION_COOKIE,
    value: "",
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    maxAge: 0,
  });
}
