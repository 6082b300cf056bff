import "server-only";
import { db } from "@/lib/server/db/client";
import { mayActUnattended, standingSelect } from "./may-act";
import type { AccessProfile } from "./policy";
import { loadAccessProfile } from "./profile";

export type AuthorStanding = { ok: true; profile: AccessProfile } | { ok: false; reason: string };

/**
 * The CURRENT access of a user recorded as the author of something that acts later without
 * them (a rollout's worker apply, a rollback, an auto-heal, a secret-reference read): loaded
 * now, from their grants as they are now, if they may still act at all (may-act.ts, the same
 * rule as for their sessions and API tokens). Nothing automatic keeps acting on access its
 * author has lost.
 */
export function authorStanding(userId: string | null): Promise<AuthorStanding> {
  if (!userId) return Promise.resolve({ ok: false, reason: "the user who started it no longer exists" });
  // Single flight, no cache: the targets of one rollout start together (a worker takes a batch)
  // and each asked the same queries of the same author at the same moment. A call that comes
  // while a load is running shares it (a read that began at most that load's duration earlier,
  // as if it had run a moment sooner); once it settles the next call reads again.
  const running = loading.get(userId);
  if (running) return running;
  const load = loadStanding(userId).finally(() => loading.delete(userId));
  loading.set(userId, load);
  return load;
}

const loading = new Map<string, Promise<AuthorStanding>>();

async function loadStanding(userId: string): Promise<AuthorStanding> {
  const user = await db().user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, isAdmin: true, ...standingSelect },
  });
  if (!user) return { ok: false, reason: "the user who started it no longer exists" };
  const standing = mayActUnattended(user);
  if (!standing.ok) return standing;
  return {
    ok: true,
    profile: await loadAccessProfile({
      user: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin },
      via: "session",
    }),
  };
}

/** The author's current access, or null when they may no longer act. */
export async function currentProfileOf(userId: string | null): Promise<AccessProfile | null> {
  const standing = await authorStanding(userId);
  return standing.ok ? standing.profile : null;
}
