import { describe, expect, it } from "vitest";
import { isWellFormedToken, newSessionToken, sessionIdFromToken } from "./session-token";

describe("session tokens", () => {
  it("are 256-bit base64url strings, unique per call", () => {
    const a = newSessionToken();
    const b = newSessionToken();
    expect(isWellFormedToken(a)).toBe(true);
    expect(a).not.toBe(b);
  });

  it("are stored only as a SHA-256 hex digest", () => {
    const token = newSessionToken();
    const id = sessionIdFromToken(token);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).not.toContain(token);
  });

  it.each(["", "short", "x".repeat(43) + "!", "a".repeat(44)])("rejects malformed token %j", (token) => {
    expect(isWellFormedToken(token)).toBe(false);
  });
});
