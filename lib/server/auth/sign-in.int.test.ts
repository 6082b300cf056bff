import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/errors/app-error";
import { resetDatabase } from "@/lib/testing/reset-database";
import { createTestUser, TEST_PASSWORD } from "@/lib/testing/users";
import { sessionIdFromToken } from "./session-token";
import { signIn } from "./sign-in";

const context = (overrides: Partial<Parameters<typeof signIn>[1]> = {}) => ({
  clientIp: "203.0.113.7",
  userAgent: "vitest",
  requestId: "test-request",
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected sign-in to fail");
}

beforeEach(async () => {
  await resetDatabase();
  process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT = "3";
  process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS = "5";
  process.env.ARCHIPELAGO_SIGNIN_WINDOW_SECONDS = "600";
  resetEnvForTests();
});

afterEach(() => {
  delete process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT;
  delete process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS;
  delete process.env.ARCHIPELAGO_SIGNIN_WINDOW_SECONDS;
  resetEnvForTests();
});

describe("signIn", () => {
  it("creates a server-side session for the right password", async () => {
    const user = await createTestUser();
    const result = await signIn({ email: user.email, password: TEST_PASSWORD }, context());
    expect(result.user.id).toBe(user.id);
    const stored = await db().session.findUnique({ where: { id: sessionIdFromToken(result.token) } });
    expect(stored?.userId).toBe(user.id);
    expect(stored?.clientIp).toBe("203.0.113.7");
  });

  it("answers unknown email, wrong password and disabled account identically", async () => {
    const user = await createTestUser();
    const disabled = await createTestUser({ disabled: true });
    const answers = await Promise.all([
      failure(signIn({ email: "nobody@example.com", password: TEST_PASSWORD }, context({ clientIp: "198.51.100.1" }))),
      failure(signIn({ email: user.email, password: "wrong password" }, context({ clientIp: "198.51.100.2" }))),
      failure(signIn({ email: disabled.email, password: TEST_PASSWORD }, context({ clientIp: "198.51.100.3" }))),
    ]);
    for (const answer of answers) {
      expect({ status: answer.status, code: answer.code, message: answer.message }).toEqual({
        status: 401,
        code: "invalid_credentials",
        message: "Email or password is incorrect",
      });
    }
  });

  it("rotates the session: the one presented at sign-in ends", async () => {
    const user = await createTestUser();
    const first = await signIn({ email: user.email, password: TEST_PASSWORD }, context());
    const second = await signIn(
      { email: user.email, password: TEST_PASSWORD },
      context({ previousToken: first.token }),
    );
    expect(second.token).not.toBe(first.token);
    expect(await db().session.findUnique({ where: { id: sessionIdFromToken(first.token) } })).toBeNull();
    expect(await db().session.findUnique({ where: { id: sessionIdFromToken(second.token) } })).not.toBeNull();
  });

  it("throttles an account after too many failures, from any address, with a Retry-After", async () => {
    const user = await createTestUser();
    for (let i = 0; i < 3; i += 1) {
      expect(
        (await failure(signIn({ email: user.email, password: "nope" }, context({ clientIp: `192.0.2.${i}` })))).status,
      ).toBe(401);
    }
    const throttled = await failure(
      signIn({ email: user.email, password: TEST_PASSWORD }, context({ clientIp: "192.0.2.99" })),
    );
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.options.headers?.["Retry-After"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
  });

  it("throttles a client address across accounts", async () => {
    for (let i = 0; i < 5; i += 1) {
      await failure(signIn({ email: `probe${i}@example.com`, password: "nope" }, context()));
    }
    const user = await createTestUser();
    expect((await failure(signIn({ email: user.email, password: TEST_PASSWORD }, context()))).status).toBe(429);
    // Another address is unaffected.
    await expect(
      signIn({ email: user.email, password: TEST_PASSWORD }, context({ clientIp: "203.0.113.200" })),
    ).resolves.toBeTruthy();
  });

  it("never locks permanently: the block ends with its window", async () => {
    const user = await createTestUser();
    for (let i = 0; i < 4; i += 1) await failure(signIn({ email: user.email, password: "nope" }, context()));
    expect((await failure(signIn({ email: user.email, password: TEST_PASSWORD }, context()))).status).toBe(429);
    // Simulate the window passing.
    await db().$executeRaw`UPDATE throttle_buckets SET window_start = now() - interval '601 seconds'`;
    await expect(signIn({ email: user.email, password: TEST_PASSWORD }, context())).resolves.toBeTruthy();
  });

  it("a success forgives earlier failures of the account", async () => {
    const user = await createTestUser();
    await failure(signIn({ email: user.email, password: "nope" }, context()));
    await failure(signIn({ email: user.email, password: "nope" }, context()));
    await signIn({ email: user.email, password: TEST_PASSWORD }, context());
    await failure(signIn({ email: user.email, password: "nope" }, context()));
    await failure(signIn({ email: user.email, password: "nope" }, context()));
    await expect(signIn({ email: user.email, password: TEST_PASSWORD }, context())).resolves.toBeTruthy();
  });
});
