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
export async function currentProfileOf(userId: string | null): Promise<AccessProfile | null> {
  if (!userId) return null;
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
