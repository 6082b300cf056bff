import { describe, expect, it } from "vitest";
import { PASSWORD_MAX_LENGTH, setupBodySchema, signInBodySchema } from "./auth";

describe("signInBodySchema", () => {
  it("trims and lower-cases the email so sign-in is case-insensitive", () => {
    const parsed = signInBodySchema.parse({ email: "  Ada@Example.COM ", password: "x" });
    expect(parsed.email).toBe("ada@example.com");
  });

  it.each([
    [{ email: "", password: "pw" }, "email"],
    [{ email: `${"a".repeat(250)}@example.com`, password: "pw" }, "email"],
    [{ email: "not-an-email", password: "pw" }, "email"],
    [{ email: "a@example.com", password: "" }, "password"],
    [{ email: "a@example.com", password: "p".repeat(PASSWORD_MAX_LENGTH + 1) }, "password"],
    [{ email: "a@example.com" }, "password"],
  ])("rejects %j naming the %s field", (input, field) => {
    const result = signInBodySchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toContain(field);
  });
});

describe("setupBodySchema", () => {
  it("requires a password of at least 12 characters", () => {
    const result = setupBodySchema.safeParse({ email: "a@example.com", name: "Ada", password: "short" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/at least 12/);
  });

  it("accepts a complete first admin", () => {
    expect(setupBodySchema.parse({ email: "a@example.com", name: " Ada ", password: "long enough pw" })).toEqual({
      email: "a@example.com",
      name: "Ada",
      password: "long enough pw",
    });
  });
});
