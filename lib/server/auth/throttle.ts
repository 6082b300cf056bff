import "server-only";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";

/**
 * Sign-in throttling in Postgres, so every app instance shares the counters. Each attempt
 * is counted before the password is checked (concurrent guesses cannot slip past the
 * limit); a successful sign-in takes its attempt back. Counters live in fixed windows,
 * so a lock always ends by itself: there is no permanent lockout to abuse.
 *
 * Counters, so that one address cannot lock other people out (see README, "Sign-in
 * throttling"):
 * - (account, address): one person's mistakes from one place; the tight limit.
 * - account, from every address: bounds guessing spread over many addresses. Over its
 *   limit it refuses addresses that have themselves failed on this account in the window,
 *   and every other attempt on the account, from any address, waits its turn: one attempt
 *   is checked, then none for 1, 2, 4 … seconds (up to ARCHIPELAGO_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS),
 *   the delay growing with the account's failures in the window. The turn is taken in
 *   Postgres (`not_before`), so instances agree. 65 addresses with one guess each get the
 *   limit's worth of guesses and then one per delay. Whoever comes first takes a turn, so a
 *   steady attacker takes nearly all of them: an owner from an unknown browser may wait as
 *   long as the attack lasts. An attempt with a valid known-device cookie for the account
 *   (device-cookie.ts, set by an earlier sign-in there) is therefore not held by this delay;
 *   it is bounded by its own counter instead:
 * - device (with a valid device cookie, in place of the (account, address) counter): the
 *   tight limit per device, so a stolen cookie cannot be used to guess fast.
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
  /** Set for an attempt with a valid known-device cookie: it replaces the pair and skips the account's delay. */
  device: ThrottleKey | null;
}

/** `deviceId`: from a device cookie verified for this account (device-cookie.ts), else null. */
export function signInThrottleKeys(
  email: string,
  clientIp: string | null,
  deviceId: string | null = null,
): SignInThrottle {
  const config = env();
  const from = clientIp ?? "unknown";
  const tight = config.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS;
  return {
    device: deviceId ? { key: `sign-in:device:${email}:${deviceId}`, limit: tight } : null,
    pair: { key: `sign-in:pair:${email}:${from}`, limit: tight },
    account: { key: `sign-in:account:${email}`, limit: config.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT },
    address: { key: `sign-in:address:${from}`, limit: config.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS },
  };
}

export interface SignInAttempt {
  /** Seconds to wait when the attempt must be refused without checking the password, else null. */
  retryAfter: number | null;
  /** Why: the account is in its growing delay (counted and reported apart from the other limits). */
  accountDelayed: boolean;
  /** This attempt took the account over its limit in this window: the start of an episode, reported once. */
  accountLimitCrossed: { failures: number; limit: number } | null;
}

/** Counts one sign-in attempt and decides whether its password may be checked. */
export async function takeSignInAttempt(keys: SignInThrottle): Promise<SignInAttempt> {
  const [account, address] = await Promise.all([bump(keys.account.key), bump(keys.address.key)]);
  const accountOver = account.failures > keys.account.limit;
  const accountLimitCrossed =
    account.failures === keys.account.limit + 1 ? { failures: account.failures, limit: keys.account.limit } : null;
  if (keys.device) {
    // A known device: its own bound and the address's, never the account's delay (it still counts there).
    const device = await bump(keys.device.key);
    const waits: number[] = [];
    if (device.failures > keys.device.limit) waits.push(device.retryAfter);
    if (address.failures > keys.address.limit) waits.push(address.retryAfter);
    return { retryAfter: waits.length ? Math.max(1, ...waits) : null, accountDelayed: false, accountLimitCrossed };
  }
  const pair = await bump(keys.pair.key);
  const waits: number[] = [];
  if (pair.failures > keys.pair.limit) waits.push(pair.retryAfter);
  // The account is under attack from many addresses: refuse those that failed on it before.
  if (accountOver && pair.failures > 1) waits.push(account.retryAfter);
  if (address.failures > keys.address.limit) waits.push(address.retryAfter);
  if (waits.length) return { retryAfter: Math.max(1, ...waits), accountDelayed: false, accountLimitCrossed };
  // Whatever the address: one attempt per delay on an account over its limit.
  if (accountOver) {
    const wait = await takeAccountTurn(keys.account.key, account.failures - keys.account.limit);
    if (wait !== null) {
      // Not a failure of this address (no password was checked): the owner told to wait, who
      // comes back after Retry-After from the same place, must not count as a guesser there.
      await db()
        .$executeRaw`UPDATE throttle_buckets SET failures = GREATEST(failures - 1, 0) WHERE key = ${keys.pair.key}`;
      return { retryAfter: wait, accountDelayed: true, accountLimitCrossed };
    }
  }
  return { retryAfter: null, accountDelayed: false, accountLimitCrossed };
}

/**
 * Takes the account's turn if it is free (and sets when the next one is: 2^(over-1) seconds,
 * capped), else answers the seconds left. One UPDATE decides, so of concurrent attempts on
 * several instances exactly one gets the turn.
 */
async function takeAccountTurn(key: string, over: number): Promise<number | null> {
  const delay = Math.min(2 ** Math.min(over - 1, 30), env().ARCHIPELAGO_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS);
  const taken = await db().$executeRaw`
    UPDATE throttle_buckets SET not_before = now() + make_interval(secs => ${delay})
    WHERE key = ${key} AND (not_before IS NULL OR not_before <= now())`;
  if (taken > 0) return null;
  const rows = await db().$queryRaw<Array<{ wait: number | null }>>`
    SELECT CEIL(EXTRACT(EPOCH FROM (not_before - now())))::int AS wait FROM throttle_buckets WHERE key = ${key}`;
  return Math.max(1, rows[0]?.wait ?? 1);
}

/** After a successful sign-in: this (account, address) and this device start afresh; the wider counters get the attempt back. */
export async function forgiveSignInAttempt(keys: SignInThrottle): Promise<void> {
  await db().throttleBucket.deleteMany({
    where: { key: { in: [keys.pair.key, ...(keys.device ? [keys.device.key] : [])] } },
  });
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
