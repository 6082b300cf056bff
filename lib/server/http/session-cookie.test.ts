import { NextResponse } from "next/server";
import { describe, expect, it } from "vitest";
import { clearSessionCookie, setDeviceCookie, setSessionCookie } from "./session-cookie";

describe("session cookie", () => {
  it("is HttpOnly and SameSite=Lax, Secure only over https", () => {
    const plain = NextResponse.json({});
    setSessionCookie(plain, "token", new Date(Date.now() + 60_000), false);
    const header = plain.headers.get("set-cookie") ?? "";
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=lax/i);
    expect(header).not.toMatch(/Secure/);

    const tls = NextResponse.json({});
    setSessionCookie(tls, "token", new Date(Date.now() + 60_000), true);
    expect(tls.headers.get("set-cookie")).toMatch(/Secure/);
  });

  it("is cleared with an immediate expiry", () => {
    const response = NextResponse.json({});
    clearSessionCookie(response, false);
    expect(response.headers.get("set-cookie")).toMatch(/Max-Age=0/);
  });

  it("the known-device cookie is HttpOnly, SameSite=Strict, sent only to sign-in, long-lived", () => {
    const response = NextResponse.json({});
    setDeviceCookie(response, { value: "d.1.s", expiresAt: new Date(Date.now() + 180 * 86_400_000) }, true);
    const header = response.headers.get("set-cookie") ?? "";
    expect(header).toMatch(/^archipelago_device=d\.1\.s;/);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=strict/i);
    expect(header).toMatch(/Path=\/api\/v1\/auth\/sign-in/);
    expect(header).toMatch(/Secure/);
  });
});
