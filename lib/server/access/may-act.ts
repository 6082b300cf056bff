import "server-only";
import { env } from "@/lib/server/config/env";

/**
 * "Is this person still allowed to act?" — answered here and only here, for a session, an
 * API token and the stored author of background work (a rollout's worker applies and
 * rollbacks, secret-reference reads, the scheduled auto-heal) alike:
 * - a disabled user may not;
 * - a single sign-on user whose provider is switched off (in the UI, or dropped from
 *   ARCHIPELAGO_SSO_PROVIDERS) may not;
 * - a credential that carries provider groups may act only while they are fresh: groups read
 *   at sign-in go stale after the credential's bound (a session's idle timeout; for tokens and
 *   background work ARCHIPELAGO_SSO_TOKEN_MAX_SYNC_AGE_HOURS, since nobody signs in for them).
 */

/** The columns of a user this decision reads (select them with `standingSelect`). */
export interface UserStanding {
  disabledAt: Date | null;
  ssoProviderId: string | null;
  ssoProvider: { enabled: boolean } | null;
}

export const standingSelect = {
  disabledAt: true,
  ssoProviderId: true,
  ssoSyncedAt: true,
  ssoProvider: { select: { enabled: true } },
} as const;

/** A user row without the columns `standingSelect` added: what a session or token carries on. */
export function withoutStanding<T extends { disabledAt: unknown; ssoProviderId: unknown; ssoSyncedAt: unknown }>(
  user: T & { ssoProvider?: unknown },
): Omit<T, "disabledAt" | "ssoProviderId" | "ssoSyncedAt" | "ssoProvider"> {
  const {
    disabledAt: _disabledAt,
    ssoProviderId: _providerId,
    ssoSyncedAt: _syncedAt,
    ssoProvider: _provider,
    ...rest
  } = user;
  return rest;
}

export type Standing = { ok: true } | { ok: false; reason: string };

/**
 * `groups`: when the provider groups this credential acts with were read, and how old they may
 * be; null for a credential that carries none (a password session).
 */
export function mayStillAct(
  user: UserStanding,
  groups: { readAt: Date | null; maxAgeMs: number } | null,
  now: number = Date.now(),
): Standing {
  if (user.disabledAt) return { ok: false, reason: "the user is disabled" };
  if (user.ssoProviderId && !user.ssoProvider?.enabled)
    return { ok: false, reason: "their single sign-on provider is switched off" };
  if (groups && (!groups.readAt || now - groups.readAt.getTime() > groups.maxAgeMs))
    return {
      ok: false,
      reason: "their groups from the single sign-on provider are out of date (they must sign in again)",
    };
  return { ok: true };
}

/**
 * For an API token and the stored author of background work, where nobody signs in: a single
 * sign-on user's groups count as read at their last sign-in and keep for
 * ARCHIPELAGO_SSO_TOKEN_MAX_SYNC_AGE_HOURS (the one home of that bound).
 */
export function mayActUnattended(
  user: UserStanding & { ssoSyncedAt: Date | null },
  now: number = Date.now(),
): Standing {
  return mayStillAct(
    user,
    user.ssoProviderId
      ? { readAt: user.ssoSyncedAt, maxAgeMs: env().ARCHIPELAGO_SSO_TOKEN_MAX_SYNC_AGE_HOURS * 3_600_000 }
      : null,
    now,
  );
}
