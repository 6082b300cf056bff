import "server-only";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";

/**
 * Sign-in throttling in Postgres, so every app instance shares the counters. Each attempt
 * is counted before the password is checked (concurrent guesses cannot slip past the
 * limit); a successful sign-in takes its attempt back. Counters live in fixed windows,
 * so a lock always ends by itself: there is no permanent lockout to abuse.
 *
 * Three counters, so that one address cannot lock other people out (see README, "Sign-in
 * throttling"):
 * - (account, address): one person's mistakes from one place; the tight limit.
 * - account, from every address: bounds guessing spread over many addresses. Over its
 *   limit it refuses only addresses that have themselves failed on this account in the
 *   window, so the owner signing in from a clean address still gets in.
 * - address, over every account: far higher than anyone's mistakes; bounds spraying and
 *   the password-hashing work one address can cause, and refuses only that address.
 * Every attempt counts on all three whether the account exists or not, so a 429 says
 * nothing about which accounts exist.
 */

export interface ThrottleKey {
  key: string;
  limit: number;
}

export interface SignInThrottle {
  pair: ThrottleKey;
  account: ThrottleKey;
  address: ThrottleKey;
}

export function signInThrottleKeys(email: string, clientIp: string | null): SignInThrottle {
  const config = env();
  const from = clientIp ?? "unknown";
  return {
    pair: { key: `sign-in:pair:${email}:${from}`, limit: config.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS },
    account: { key: `sign-in:account:${email}`, limit: config.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT },
    address: { key: `sign-in:address:${from}`, limit: config.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS },
  };
}

/**
 * Counts one sign-in attempt. Returns the seconds to wait when it must be refused without
 * checking the password, else null.
 */
export async function takeSignInAttempt(keys: SignInThrottle): Promise<number | null> {
  const [pair, account, address] = await Promise.all([
    bump(keys.pair.key),
    bump(keys.account.key),
    bump(keys.address.key),
  ]);
  const waits: number[] = [];
  if (pair.failures > keys.pair.limit) waits.push(pair.retryAfter);
  // The account is under attack from many addresses: refuse those that failed on it before.
  if (account.failures > keys.account.limit && pair.failures > 1) waits.push(account.retryAfter);
  if (address.failures > keys.address.limit) waits.push(address.retryAfter);
  return waits.length ? Math.max(1, ...waits) : null;
}

/** After a successful sign-in: this (account, address) starts afresh; the wider counters get the attempt back. */
export async function forgiveSignInAttempt(keys: SignInThrottle): Promise<void> {
  await db().throttleBucket.deleteMany({ where: { key: keys.pair.key } });
  for (const key of [keys.account.key, keys.address.key])
    await db().$executeRaw`UPDATE throttle_buckets SET failures = GREATEST(failures - 1, 0) WHERE key = ${key}`;
}

async function bump(key: string): Promise<{ failures: number; retryAfter: number }> {
  const windowSeconds = env().ARCHIPELAGO_SIGNIN_WINDOW_SECONDS;
  const rows = await db().$queryRaw<Array<{ failures: number; retry_after: number }>>`
    INSERT INTO throttle_buckets (key, window_start, failures)
    VALUES (${key}, now(), 1)
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN throttle_buckets.window_start <= now() - make_interval(secs => ${windowSeconds})
                      THEN 1 ELSE throttle_buckets.failures + 1 END,
      window_start = CASE WHEN throttle_buckets.window_start <= now() - make_interval(secs => ${windowSeconds})
                          THEN now() ELSE throttle_buckets.window_start END
    RETURNING failures,
      CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => ${windowSeconds}) - now())))::int AS retry_after`;
  return { failures: rows[0]?.failures ?? 0, retryAfter: rows[0]?.retry_after ?? windowSeconds };
}

export async function deleteStaleThrottleBuckets(): Promise<number> {
  const windowSeconds = env().ARCHIPELAGO_SIGNIN_WINDOW_SECONDS;
  return db().$executeRaw`
    DELETE FROM throttle_buckets WHERE window_start <= now() - make_interval(secs => ${windowSeconds})`;
}
