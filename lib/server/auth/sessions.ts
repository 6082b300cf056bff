import "server-only";
import { mayStillAct, standingSelect, withoutStanding } from "@/lib/server/access/may-act";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { isWellFormedToken, newSessionToken, sessionIdFromToken } from "./session-token";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

export interface ValidSession {
  sessionId: string;
  user: SessionUser;
  expiresAt: Date;
  /** The provider this session signed in through (for RP-initiated logout), if any. */
  ssoProviderId: string | null;
}

/** Writing last_seen_at on every request would turn reads into writes; a minute is precise enough. */
const TOUCH_INTERVAL_MS = 60_000;

export function sessionLifetimes() {
  return {
    idleMs: env().ARCHIPELAGO_SESSION_IDLE_MINUTES * 60_000,
    absoluteMs: env().ARCHIPELAGO_SESSION_MAX_HOURS * 3_600_000,
  };
}

export async function createSession(
  userId: string,
  meta: { clientIp: string | null; userAgent: string | null; sso?: { providerId: string; syncedAt: Date } },
): Promise<{ token: string; expiresAt: Date }> {
  const token = newSessionToken();
  const expiresAt = new Date(Date.now() + sessionLifetimes().absoluteMs);
  await db().session.create({
    data: {
      id: sessionIdFromToken(token),
      userId,
      expiresAt,
      clientIp: meta.clientIp,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      ssoProviderId: meta.sso?.providerId ?? null,
      ssoSyncedAt: meta.sso?.syncedAt ?? null,
    },
  });
  return { token, expiresAt };
}

/** Returns the session's user, or null for unknown, tampered, expired, idle or disabled. */
export async function validateSession(token: string | undefined): Promise<ValidSession | null> {
  if (!token || !isWellFormedToken(token)) return null;
  const id = sessionIdFromToken(token);
  const session = await db().session.findUnique({
    where: { id },
    include: {
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          isAdmin: true,
          ...standingSelect,
        },
      },
    },
  });
  if (!session) return null;

  const now = Date.now();
  const idleExpired = now - session.lastSeenAt.getTime() > sessionLifetimes().idleMs;
  // A single sign-on session holds teams read from the provider at sign-in. It ends once that
  // reading is older than the idle timeout, so a group removed at the provider is gone from
  // every session within that time at the latest (signing in again re-reads the groups).
  const standing = mayStillAct(
    session.user,
    session.ssoSyncedAt ? { readAt: session.ssoSyncedAt, maxAgeMs: sessionLifetimes().idleMs } : null,
    now,
  );
  if (idleExpired || !standing.ok || now >= session.expiresAt.getTime()) {
    await db().session.deleteMany({ where: { id } });
    return null;
  }
  if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db().session.updateMany({ where: { id }, data: { lastSeenAt: new Date(now) } });
  }
  const user = withoutStanding(session.user);
  return { sessionId: id, user, expiresAt: session.expiresAt, ssoProviderId: session.ssoProviderId };
}

/** Ends the session; returns the provider it signed in through, if any (for RP-initiated logout). */
export async function deleteSessionByToken(
  token: string | undefined,
): Promise<{ ssoProviderId: string | null } | null> {
  if (!token || !isWellFormedToken(token)) return null;
  const id = sessionIdFromToken(token);
  const session = await db().session.findUnique({ where: { id }, select: { ssoProviderId: true } });
  await db().session.deleteMany({ where: { id } });
  return session ? { ssoProviderId: session.ssoProviderId } : null;
}

export async function deleteSessionsOfUser(userId: string): Promise<number> {
  const { count } = await db().session.deleteMany({ where: { userId } });
  return count;
}

export async function deleteExpiredSessions(): Promise<number> {
  const idleCutoff = new Date(Date.now() - sessionLifetimes().idleMs);
  const { count } = await db().session.deleteMany({
    where: { OR: [{ expiresAt: { lte: new Date() } }, { lastSeenAt: { lt: idleCutoff } }] },
  });
  return count;
}
