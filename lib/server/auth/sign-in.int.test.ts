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
  process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS = "3";
  process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT = "6";
  process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS = "10";
  process.env.ARCHIPELAGO_SIGNIN_WINDOW_SECONDS = "600";
  resetEnvForTests();
});

afterEach(() => {
  delete process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS;
  delete process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT;
  delete process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS;
  delete process.env.ARCHIPELAGO_SIGNIN_WINDOW_SECONDS;
  resetEnvForTests();
});

/** Simulates the account's delay passing (as the window test moves window_start). */
const passAccountDelay = () =>
  db().$executeRaw`UPDATE throttle_buckets SET not_before = now() - interval '1 second' WHERE not_before IS NOT NULL`;

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

  it("throttles an (account, address) after too many failures, with a Retry-After; other addresses still sign in", async () => {
    const user = await createTestUser();
    for (let i = 0; i < 3; i += 1)
      expect((await failure(signIn({ email: user.email, password: "nope" }, context()))).status).toBe(401);
    const throttled = await failure(signIn({ email: user.email, password: TEST_PASSWORD }, context()));
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.options.headers?.["Retry-After"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    await expect(
      signIn({ email: user.email, password: TEST_PASSWORD }, context({ clientIp: "198.51.100.50" })),
    ).resolves.toBeTruthy();
  });

  it("an account guessed at from many addresses refuses those addresses; its owner gets in after the delay", async () => {
    const user = await createTestUser();
    for (let i = 0; i < 7; i += 1)
      expect(
        (await failure(signIn({ email: user.email, password: "nope" }, context({ clientIp: `192.0.2.${i}` })))).status,
      ).toBe(401);
    // An address that already failed on this account is refused, even with the right password.
    expect(
      (await failure(signIn({ email: user.email, password: TEST_PASSWORD }, context({ clientIp: "192.0.2.3" }))))
        .status,
    ).toBe(429);
    // A clean address waits for the account's turn, and then gets in.
    await passAccountDelay();
    await expect(
      signIn({ email: user.email, password: TEST_PASSWORD }, context({ clientIp: "198.51.100.9" })),
    ).resolves.toBeTruthy();
  });

  /** Issue 20, point 6: the attack that used to pass. */
  it("65 addresses with one guess each: after the account's limit every attempt waits, from any address; admins are told once; the owner gets in after the delay", async () => {
    const user = await createTestUser();
    const { signInAccountSlowdowns, signInAttemptsDelayed } = await import("@/lib/server/metrics/counters");
    const [slowdownsBefore, delayedBefore] = [signInAccountSlowdowns.value, signInAttemptsDelayed.value];
    const answers: AppError[] = [];
    for (let i = 0; i < 65; i += 1)
      answers.push(
        await failure(signIn({ email: user.email, password: `guess ${i}` }, context({ clientIp: `10.20.${i}.1` }))),
      );
    const statuses = answers.map((answer) => answer.status);
    // The limit (6) is checked in full; past it the account's turns come 1, 2, 4 … seconds apart,
    // so a fast run gets one more checked guess (two if the machine stalls for a second).
    expect(statuses.slice(0, 6)).toEqual(Array(6).fill(401));
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(8);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(57);
    for (const answer of answers.filter((a) => a.status === 429)) {
      const retryAfter = Number(answer.options.headers?.["Retry-After"]);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60); // ARCHIPELAGO_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS
    }
    // Once a delay has passed, the next attempt (a guesser's here) is checked and starts a new delay ...
    await passAccountDelay();
    const checked = await failure(
      signIn({ email: user.email, password: "one more" }, context({ clientIp: "10.21.0.1" })),
    );
    expect(checked.status).toBe(401);
    // ... in which the owner, from a new address, with the right password, waits too (no password is checked) ...
    const waiting = await failure(
      signIn({ email: user.email, password: TEST_PASSWORD }, context({ clientIp: "198.51.100.77" })),
    );
    expect(waiting.status).toBe(429);
    expect(Number(waiting.options.headers?.["Retry-After"])).toBeGreaterThan(30);
    // ... and is in once the delay has passed, from the same address: a wait, never a lock.
    await passAccountDelay();
    await expect(
      signIn({ email: user.email, password: TEST_PASSWORD }, context({ clientIp: "198.51.100.77" })),
    ).resolves.toBeTruthy();
    // Admins are told once for the episode, not once per attempt.
    const notices = await db().auditEvent.findMany({ where: { action: "auth.sign-in-delayed" } });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ targetName: user.email, result: "denied", details: { failures: 7, limit: 6 } });
    expect(JSON.stringify(notices[0]!.details)).not.toMatch(/guess|more/);
    expect(signInAccountSlowdowns.value - slowdownsBefore).toBe(1);
    expect(signInAttemptsDelayed.value - delayedBefore).toBeGreaterThanOrEqual(58);
  });

  /** Issue 20, point 6: a steady attacker takes nearly every turn of the account's delay. */
  it("a continuous attacker from many addresses holds the account's delay; the owner with a device cookie from an earlier sign-in gets in at once", async () => {
    const user = await createTestUser();
    const earlier = await signIn({ email: user.email, password: TEST_PASSWORD }, context({ clientIp: "198.51.100.5" }));
    const device = earlier.deviceCookie.value;
    // The attack: well past the limit, and it takes every turn the moment it comes free.
    for (let i = 0; i < 16; i += 1)
      await failure(signIn({ email: user.email, password: `guess ${i}` }, context({ clientIp: `10.40.${i}.1` })));
    await passAccountDelay();
    const taken = await failure(signIn({ email: user.email, password: "turn" }, context({ clientIp: "10.41.0.1" })));
    expect(taken.status).toBe(401);
    // The owner from a browser the account does not know waits like everyone else ...
    const unknown = await failure(
      signIn({ email: user.email, password: TEST_PASSWORD }, context({ clientIp: "198.51.100.77" })),
    );
    expect(unknown.status).toBe(429);
    // ... and from the browser signed in before, from any address, gets in at once, the delay still running.
    const known = await signIn(
      { email: user.email, password: TEST_PASSWORD },
      context({ clientIp: "198.51.100.78", deviceCookie: device }),
    );
    expect(known.user.id).toBe(user.id);
    expect(
      (await failure(signIn({ email: user.email, password: "after" }, context({ clientIp: "10.41.0.2" })))).status,
    ).toBe(429);
    // Another account's cookie, or an altered one, is no known device here.
    const other = await createTestUser();
    const othersDevice = (await signIn({ email: other.email, password: TEST_PASSWORD }, context())).deviceCookie.value;
    const altered = `${device.slice(0, -2)}${device.endsWith("AA") ? "BB" : "AA"}`;
    for (const deviceCookie of [othersDevice, altered])
      expect(
        (
          await failure(
            signIn(
              { email: user.email, password: TEST_PASSWORD },
              context({ clientIp: "198.51.100.79", deviceCookie }),
            ),
          )
        ).status,
      ).toBe(429);
  });

  it("a wrong password with a device cookie is still bounded: the device gets the tight limit, then waits", async () => {
    const user = await createTestUser();
    const device = (await signIn({ email: user.email, password: TEST_PASSWORD }, context())).deviceCookie.value;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push(
        (
          await failure(
            signIn(
              { email: user.email, password: `stolen cookie guess ${i}` },
              context({ clientIp: `10.50.${i}.1`, deviceCookie: device }),
            ),
          )
        ).status,
      );
    // ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS = 3 per device, whatever the address.
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    const refused = await failure(
      signIn({ email: user.email, password: TEST_PASSWORD }, context({ clientIp: "10.50.9.1", deviceCookie: device })),
    );
    expect(refused.status).toBe(429);
    expect(Number(refused.options.headers?.["Retry-After"])).toBeGreaterThan(60);
  });

  it("the account's turn is decided in Postgres: of concurrent attempts from many addresses only one is checked", async () => {
    const user = await createTestUser();
    // Well past the limit, so the turn taken below starts a long delay (60 s), however slow this machine is.
    for (let i = 0; i < 16; i += 1)
      await failure(signIn({ email: user.email, password: "nope" }, context({ clientIp: `10.30.${i}.1` })));
    await passAccountDelay();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        failure(signIn({ email: user.email, password: "nope" }, context({ clientIp: `10.31.${i}.1` }))),
      ),
    );
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(11);
  });

  it("one address failing 20 times on the admin's account does not lock the admin out from elsewhere", async () => {
    const admin = await createTestUser({ isAdmin: true });
    const other = await createTestUser();
    for (let i = 0; i < 20; i += 1) await failure(signIn({ email: admin.email, password: "nope" }, context()));
    for (let i = 0; i < 20; i += 1)
      await failure(signIn({ email: `probe${i}@example.com`, password: "nope" }, context()));
    await expect(
      signIn({ email: admin.email, password: TEST_PASSWORD }, context({ clientIp: "198.51.100.10" })),
    ).resolves.toBeTruthy();
    await expect(
      signIn({ email: other.email, password: TEST_PASSWORD }, context({ clientIp: "198.51.100.11" })),
    ).resolves.toBeTruthy();
  });

  it("the per-address limit is far above one person's mistakes and refuses only that address", async () => {
    const user = await createTestUser();
    for (let i = 0; i < 10; i += 1)
      await failure(signIn({ email: `probe${i}@example.com`, password: "nope" }, context()));
    expect((await failure(signIn({ email: user.email, password: TEST_PASSWORD }, context()))).status).toBe(429);
    // A known and an unknown account are refused alike there (a 429 does not tell which accounts exist).
    expect((await failure(signIn({ email: "nobody-else@example.com", password: "x" }, context()))).status).toBe(429);
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
