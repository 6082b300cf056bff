import { expect, test, type APIRequestContext } from "@playwright/test";
import { ageSession, sql } from "./support/database";
import { ADMIN, E2E_BASE_URL } from "./support/paths";

// The HTTP contract of the foundation, exercised on the real server: every bad input
// gets a clear 4xx JSON answer naming the problem, and changes nothing.

const origin = { origin: E2E_BASE_URL };
const json = { "content-type": "application/json", ...origin };

async function userCount(): Promise<number> {
  const [row] = await sql<{ n: string }>("SELECT count(*) AS n FROM users");
  return Number(row?.n);
}

async function errorOf(response: Awaited<ReturnType<APIRequestContext["post"]>>) {
  expect(response.headers()["content-type"]).toContain("application/json");
  const body = (await response.json()) as {
    error: { code: string; message: string; fields?: Record<string, string[]>; requestId: string };
  };
  return body.error;
}

test.use({ storageState: { cookies: [], origins: [] } });

test.describe("input validation", () => {
  test.describe.configure({ mode: "serial" });

  for (const [label, body, field] of [
    ["empty email", { email: "", password: "whatever" }, "email"],
    ["oversized email", { email: `${"a".repeat(300)}@example.com`, password: "whatever" }, "email"],
    ["empty password", { email: ADMIN.email, password: "" }, "password"],
    ["oversized password", { email: ADMIN.email, password: "p".repeat(5000) }, "password"],
  ] as const) {
    test(`sign-in with ${label} answers 400 naming ${field}`, async ({ request }) => {
      const response = await request.post("/api/v1/auth/sign-in", { headers: json, data: body });
      expect(response.status()).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe("validation_failed");
      expect(Object.keys(error.fields ?? {})).toEqual([field]);
      expect(response.headers()["set-cookie"]).toBeUndefined();
    });
  }

  test("setup with bad fields answers 400 for each and creates nobody", async ({ request }) => {
    const before = await userCount();
    const response = await request.post("/api/v1/setup", {
      headers: json,
      data: { email: "x", name: "", password: "short" },
    });
    expect(response.status()).toBe(400);
    expect(Object.keys((await errorOf(response)).fields ?? {}).sort()).toEqual(["email", "name", "password"]);
    expect(await userCount()).toBe(before);
  });

  test("malformed JSON answers 400", async ({ request }) => {
    const response = await request.post("/api/v1/auth/sign-in", {
      headers: json,
      data: Buffer.from('{"email": "a@b.c",'),
    });
    expect(response.status()).toBe(400);
    expect((await errorOf(response)).code).toBe("malformed_json");
  });

  test("a wrong content type answers 415", async ({ request }) => {
    const response = await request.post("/api/v1/auth/sign-in", {
      headers: { "content-type": "application/x-www-form-urlencoded", ...origin },
      data: "email=a%40b.c&password=x",
    });
    expect(response.status()).toBe(415);
    expect((await errorOf(response)).code).toBe("unsupported_media_type");
  });

  test("an oversized body answers 413", async ({ request }) => {
    const response = await request.post("/api/v1/setup", {
      headers: json,
      data: JSON.stringify({ email: "a@example.com", name: "x".repeat(2_000_000), password: "long enough password" }),
    });
    expect(response.status()).toBe(413);
    expect((await errorOf(response)).code).toBe("payload_too_large");
  });

  test("a second admin setup answers 409", async ({ request }) => {
    const before = await userCount();
    const response = await request.post("/api/v1/setup", {
      headers: json,
      data: { email: "second@example.com", name: "Second", password: "long enough password" },
    });
    expect(response.status()).toBe(409);
    expect(await userCount()).toBe(before);
  });
});

test.describe("sessions over HTTP", () => {
  test("a tampered or expired cookie answers 401 without a session", async ({ request }) => {
    const signIn = await request.post("/api/v1/auth/sign-in", {
      headers: json,
      data: { email: ADMIN.email, password: ADMIN.password },
    });
    expect(signIn.status()).toBe(200);
    const setCookie = signIn.headers()["set-cookie"] ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=lax/i);
    expect(setCookie).not.toMatch(/Secure/);
    const token = /archipelago_session=([^;]+)/.exec(setCookie)?.[1] ?? "";

    const ok = await request.get("/api/v1/me", { headers: { cookie: `archipelago_session=${token}` } });
    expect(ok.status()).toBe(200);
    expect((await ok.json()).user.email).toBe(ADMIN.email);

    const tampered = await request.get("/api/v1/me", {
      headers: { cookie: `archipelago_session=${token.slice(0, -2)}xx` },
    });
    expect(tampered.status()).toBe(401);
    expect((await errorOf(tampered)).code).toBe("unauthenticated");

    await ageSession(token, "expired");
    const expired = await request.get("/api/v1/me", { headers: { cookie: `archipelago_session=${token}` } });
    expect(expired.status()).toBe(401);
  });

  test("no cookie answers 401, not 403", async ({ request }) => {
    const response = await request.get("/api/v1/me");
    expect(response.status()).toBe(401);
  });
});

test.describe("cross-site protection", () => {
  test("a mutation without Origin is refused", async ({ request }) => {
    const response = await request.post("/api/v1/auth/sign-in", {
      headers: { "content-type": "application/json" },
      data: { email: ADMIN.email, password: ADMIN.password },
    });
    expect(response.status()).toBe(403);
    expect((await errorOf(response)).code).toBe("origin_rejected");
  });

  test("a cross-site mutation is refused even with a valid cookie", async ({ request }) => {
    const signIn = await request.post("/api/v1/auth/sign-in", {
      headers: json,
      data: { email: ADMIN.email, password: ADMIN.password },
    });
    const token = /archipelago_session=([^;]+)/.exec(signIn.headers()["set-cookie"] ?? "")?.[1] ?? "";
    const response = await request.post("/api/v1/auth/sign-out", {
      headers: { origin: "https://evil.example", cookie: `archipelago_session=${token}` },
    });
    expect(response.status()).toBe(403);
    // The session survived the forged sign-out.
    const me = await request.get("/api/v1/me", { headers: { cookie: `archipelago_session=${token}` } });
    expect(me.status()).toBe(200);
  });
});

test.describe("throttling", () => {
  test("repeated failures for one account answer 429 with Retry-After", async ({ request }) => {
    const target = `throttle-${Date.now()}@example.com`;
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 7; i += 1) {
      const response = await request.post("/api/v1/auth/sign-in", {
        headers: json,
        data: { email: target, password: "wrong password" },
      });
      statuses.push(response.status());
      retryAfter = response.headers()["retry-after"] ?? retryAfter;
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

test.describe("routing and errors", () => {
  test("unknown API routes answer JSON 404 for any method", async ({ request }) => {
    for (const response of [
      await request.get("/api/v1/nope"),
      await request.delete("/api/v2/clusters/x", { headers: origin }),
    ]) {
      expect(response.status()).toBe(404);
      expect((await errorOf(response)).code).toBe("not_found");
    }
  });

  test("responses carry a request id and security headers", async ({ request }) => {
    const response = await request.get("/api/v1/health");
    expect(response.status()).toBe(200);
    expect(response.headers()["x-request-id"]).toMatch(/.{8,}/);
    expect(response.headers()["x-frame-options"]).toBe("DENY");
    expect(response.headers()["x-content-type-options"]).toBe("nosniff");
    expect(response.headers()["x-powered-by"]).toBeUndefined();
  });
});
