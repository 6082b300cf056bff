import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import { desiredAccess, type GroupMapping } from "./group-mapping";

export interface AccessChanges {
  added: { teamId: string; teamName: string; role: string }[];
  removed: { teamId: string; teamName: string }[];
  /** The new admin flag when it changed, else null. */
  adminChanged: boolean | null;
}

/**
 * Sets a single sign-on user's provider memberships and provider-granted admin flag to
 * exactly what their groups map to, inside the caller's transaction. Used at sign-in (fresh
 * groups) and when an admin changes the mappings (the groups stored at the last sign-in), so
 * a mapping removed takes its team or admin away at once, not at each user's next sign-in.
 * Hand-made admin rights (adminSource local) are left alone; provider-granted ones go as
 * soon as no mapping grants them.
 */
export async function applyProviderAccess(
  tx: Prisma.TransactionClient,
  user: { id: string; isAdmin: boolean; adminSource: "local" | "sso" | null },
  groups: readonly string[],
  mappings: readonly GroupMapping[],
): Promise<AccessChanges> {
  const desired = desiredAccess(groups, mappings);
  const handMadeAdmin = user.isAdmin && user.adminSource !== "sso";
  const isAdmin = desired.isAdmin || handMadeAdmin;
  const adminSource = handMadeAdmin ? (user.adminSource ?? "local") : desired.isAdmin ? "sso" : null;
  if (isAdmin !== user.isAdmin || adminSource !== user.adminSource)
    await tx.user.update({ where: { id: user.id }, data: { isAdmin, adminSource } });

  const existing = await tx.membership.findMany({ where: { userId: user.id }, include: { team: true } });
  const teams = await tx.team.findMany({
    where: { id: { in: [...desired.teams.keys()] } },
    select: { id: true, name: true },
  });
  const added: AccessChanges["added"] = [];
  const removed: AccessChanges["removed"] = [];
  for (const team of teams) {
    const role = desired.teams.get(team.id)!;
    const current = existing.find((m) => m.teamId === team.id);
    if (current && current.role === role && current.source === "sso") continue;
    await tx.membership.upsert({
      where: { teamId_userId: { teamId: team.id, userId: user.id } },
      create: { teamId: team.id, userId: user.id, role, source: "sso" },
      update: { role, source: "sso" },
    });
    added.push({ teamId: team.id, teamName: team.name, role });
  }
  for (const membership of existing) {
    if (membership.source !== "sso" || desired.teams.has(membership.teamId)) continue;
    await tx.membership.delete({ where: { teamId_userId: { teamId: membership.teamId, userId: user.id } } });
    removed.push({ teamId: membership.teamId, teamName: membership.team.name });
  }
  return { added, removed, adminChanged: isAdmin !== user.isAdmin ? isAdmin : null };
}

/** One user's changes from a re-sync, as audit details (names only). */
export interface UserAccessChange {
  user: string;
  teamsAdded: string[];
  teamsRemoved: string[];
  admin?: boolean;
}

/**
 * Re-applies a provider's mappings (as they are now in the transaction) to every user linked
 * to it, from the groups stored at each one's last sign-in. Returns what changed, per user.
 */
export async function resyncProviderUsers(
  tx: Prisma.TransactionClient,
  providerId: string,
): Promise<UserAccessChange[]> {
  const mappings = await tx.ssoGroupMapping.findMany({ where: { providerId } });
  const users = await tx.user.findMany({
    where: { ssoProviderId: providerId },
    select: { id: true, email: true, isAdmin: true, adminSource: true, ssoGroups: true },
    orderBy: { email: "asc" },
  });
  const changes: UserAccessChange[] = [];
  for (const user of users) {
    const applied = await applyProviderAccess(tx, user, user.ssoGroups, mappings);
    if (applied.added.length === 0 && applied.removed.length === 0 && applied.adminChanged === null) continue;
    changes.push({
      user: user.email,
      teamsAdded: applied.added.map((m) => `${m.teamName} (${m.role})`),
      teamsRemoved: applied.removed.map((m) => m.teamName),
      ...(applied.adminChanged === null ? {} : { admin: applied.adminChanged }),
    });
  }
  return changes;
}
