import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/server/errors/app-error";
import { assertSameOrigin } from "./origin-check";
import type { RequestFacts } from "./request-facts";

const facts = (overrides: Partial<RequestFacts>): RequestFacts => ({
  clientIp: "127.0.0.1",
  secure: false,
  host: "localhost:3000",
  origin: "http://localhost:3000",
  userAgent: null,
  ...overrides,
});

describe("assertSameOrigin", () => {
  it("lets safe methods through without an Origin", () => {
    expect(() => assertSameOrigin("GET", facts({ origin: null }))).not.toThrow();
  });

  it("accepts a same-origin POST", () => {
    expect(() => assertSameOrigin("POST", facts({}))).not.toThrow();
  });

  it.each([
    ["missing", null],
    ["cross-site", "http://evil.example"],
    ["other port", "http://localhost:4000"],
    ["downgraded scheme", "http://localhost:3000"],
    ["malformed", "not a url"],
  ])("refuses a %s Origin with 403", (_label, origin) => {
    const secure = _label === "downgraded scheme";
    try {
      assertSameOrigin("DELETE", facts({ origin, secure }));
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(403);
      expect((error as AppError).code).toBe("origin_rejected");
    }
  });
});
