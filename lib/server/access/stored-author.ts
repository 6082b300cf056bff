import "server-only";
import { db } from "@/lib/server/db/client";
import type { AccessProfile } from "./policy";
import { loadAccessProfile } from "./profile";

/**
 * The CURRENT access of a user recorded as the author of something that acts later without
 * them (a rollout's worker apply, a rollback, an auto-heal): loaded now, from their grants as
 * they are now. A disabled or deleted user has none (null), so nothing automatic keeps acting
 * on access its author has lost.
 */
export function currentProfileOf(userId: string | null): Promise<AccessProfile | null> {
  if (!userId) return Promise.resolve(null);
  // Single flight, no cache: the targets of one rollout start together (a worker takes a batch)
  // and each asked the same six queries of the same author at the same moment. A call that comes
  // while a load is running shares it (a read that began at most that load's duration earlier,
  // as if it had run a moment sooner); once it settles the next call reads again.
  const running = loading.get(userId);
  if (running) return running;
  const load = loadCurrentProfile(userId).finally(() => loading.delete(userId));
  loading.set(userId, load);
  return load;
}

const loading = new Map<string, Promise<AccessProfile | null>>();

async function loadCurrentProfile(userId: string): Promise<AccessProfile | null> {
  const user = await db().user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, isAdmin: true, disabledAt: true },
  });
  if (!user || user.disabledAt) return null;
  return loadAccessProfile({
    user: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin },
    via: "session",
  });
}
