import "server-only";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";

/**
 * Sign-in throttling in Postgres, so every app instance shares the counters. Each attempt
 * is counted before the password is checked (concurrent guesses cannot slip past the
 * limit); a successful sign-in takes its attempt back. Counters live in fixed windows,
 * so a lock always ends by itself: there is no permanent lockout to abuse.
 */

export interface ThrottleKey {
  key: string;
  limit: number;
}

export function signInThrottleKeys(email: string, clientIp: string | null): ThrottleKey[] {
  const config = env();
  const keys: ThrottleKey[] = [
    { key: `sign-in:account:${email}`, limit: config.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT },
  ];
  if (clientIp) {
    keys.push({ key: `sign-in:address:${clientIp}`, limit: config.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS });
  }
  return keys;
}

/**
 * Counts one attempt against every key. Returns the seconds to wait when any key is over
 * its limit (the attempt must then be refused without checking the password), else null.
 */
export async function takeAttempt(keys: ThrottleKey[]): Promise<number | null> {
  const windowSeconds = env().ARCHIPELAGO_SIGNIN_WINDOW_SECONDS;
  let retryAfter: number | null = null;
  for (const { key, limit } of keys) {
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
    const row = rows[0];
    if (row && row.failures > limit) {
      retryAfter = Math.max(retryAfter ?? 0, Math.max(1, row.retry_after));
    }
  }
  return retryAfter;
}

/** After a successful sign-in: the account starts afresh and the address gets its attempt back. */
export async function forgiveAttempt(keys: ThrottleKey[]): Promise<void> {
  const [account, ...others] = keys;
  if (account) await db().throttleBucket.deleteMany({ where: { key: account.key } });
  for (const { key } of others) {
    await db().$executeRaw`UPDATE throttle_buckets SET failures = GREATEST(failures - 1, 0) WHERE key = ${key}`;
  }
}

export async function deleteStaleThrottleBuckets(): Promise<number> {
  const windowSeconds = env().ARCHIPELAGO_SIGNIN_WINDOW_SECONDS;
  return db().$executeRaw`
    DELETE FROM throttle_buckets WHERE window_start <= now() - make_interval(secs => ${windowSeconds})`;
}
