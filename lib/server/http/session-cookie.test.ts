import { NextResponse } from "next/server";
import { describe, expect, it } from "vitest";
import { clearSessionCookie, setSessionCookie } from "./session-cookie";

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
});
