import "server-only";
import type { NextResponse } from "next/server";
import { DEVICE_COOKIE, DEVICE_COOKIE_PATH } from "@/lib/server/auth/device-cookie";
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

/** The known-device cookie (auth/device-cookie.ts): long-lived, sent only to sign-in, kept across sign-outs. */
export function setDeviceCookie(
  response: NextResponse,
  cookie: { value: string; expiresAt: Date },
  secure: boolean,
): void {
  response.cookies.set({
    name: DEVICE_COOKIE,
    value: cookie.value,
    httpOnly: true,
    sameSite: "strict",
    secure,
    path: DEVICE_COOKIE_PATH,
    expires: cookie.expiresAt,
  });
}
