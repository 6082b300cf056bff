import "server-only";
import { requireAdmin, requireTeamMaintainer, requireTeamVisible } from "@/lib/server/access/guard";
import type { AccessProfile } from "@/lib/server/access/policy";
import { resolveGrantClusters } from "@/lib/server/access/profile";
import { db } from "@/lib/server/db/client";
import { conflict, notFound, validationFailed } from "@/lib/server/errors/app-error";
import { Prisma } from "@/lib/generated/prisma/client";
import type { GrantView, TeamDetailView, TeamSummaryView } from "@/lib/api/team-types";
import { isUuid } from "@/lib/schemas/ids";

export async function listTeams(profile: AccessProfile): Promise<TeamSummaryView[]> {
  const teams = await db().team.findMany({
    where: profile.isAdmin ? undefined : { id: { in: [...profile.memberOf] } },
    include: { _count: { select: { memberships: true, grants: true } } },
    orderBy: { name: "asc" },
  });
  return teams.map((team) => ({
    id: team.id,
    name: team.name,
    description: team.description,
    memberCount: team._count.memberships,
    grantCount: team._count.grants,
    myRole: profile.maintainerOf.has(team.id) ? "maintainer" : profile.memberOf.has(team.id) ? "member" : null,
  }));
}

export async function getTeam(profile: AccessProfile, teamId: string): Promise<TeamDetailView> {
  if (!isUuid(teamId)) throw notFound("Team");
  requireTeamVisible(profile, teamId);
  const team = await db().team.findUnique({
    where: { id: teamId },
    include: {
      memberships: { include: { user: { select: { id: true, email: true, name: true, disabledAt: true } } } },
      grants: { orderBy: { createdAt: "asc" } },
    },
  });
  if (!team) throw notFound("Team");
  const clusters = await db().cluster.findMany({ select: { id: true, name: true, labels: true } });
  const nameOf = new Map(clusters.map((c) => [c.id, c.name]));
  return {
    id: team.id,
    name: team.name,
    description: team.description,
    members: team.memberships
      .map((m) => ({
        userId: m.user.id,
        email: m.user.email,
        name: m.user.name,
        role: m.role,
        disabled: m.user.disabledAt !== null,
        source: m.source,
      }))
      .sort((a, b) => a.email.localeCompare(b.email)),
    grants: team.grants.map((grant): GrantView => ({
      id: grant.id,
      clusterSelector: grant.clusterSelector,
      clusterIds: grant.clusterIds,
      namespaces: grant.namespaces,
      clusterScoped: grant.clusterScoped,
      level: grant.level,
      secrets: grant.secrets,
      matchedClusters: [...resolveGrantClusters(grant, clusters)]
        .map((id) => ({ id, name: nameOf.get(id) ?? id }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    })),
    canManageMembers: profile.isAdmin || profile.maintainerOf.has(team.id),
    canManageGrants: profile.isAdmin,
  };
}

export async function createTeam(
  profile: AccessProfile,
  input: { name: string; description: string },
): Promise<TeamSummaryView> {
  requireAdmin(profile);
  try {
    const team = await db().team.create({ data: input });
    return { id: team.id, name: team.name, description: team.description, memberCount: 0, grantCount: 0, myRole: null };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw validationFailed({ name: [`A team named "${input.name}" already exists`] });
    throw error;
  }
}

export async function updateTeam(
  profile: AccessProfile,
  teamId: string,
  input: { description: string },
): Promise<void> {
  requireAdmin(profile);
  if (!isUuid(teamId) || (await db().team.updateMany({ where: { id: teamId }, data: input })).count === 0)
    throw notFound("Team");
}

export async function deleteTeam(profile: AccessProfile, teamId: string): Promise<string> {
  if (!isUuid(teamId)) throw notFound("Team");
  requireTeamVisible(profile, teamId);
  requireAdmin(profile);
  const team = await db().team.findUnique({
    where: { id: teamId },
    select: { name: true, _count: { select: { templates: true, releases: true, rollouts: true } } },
  });
  if (!team) throw notFound("Team");
  // Deleting the owner would turn its templates and releases global (readable by everyone): refuse instead.
  const owned = team._count;
  if (owned.templates + owned.releases + owned.rollouts > 0)
    throw conflict(
      `Team ${team.name} owns ${owned.templates} template(s), ${owned.releases} release(s) and ${owned.rollouts} rollout(s); ` +
        "a team that owns templates or releases cannot be deleted",
    );
  await db().team.delete({ where: { id: teamId } });
  return team.name;
}

export async function addMember(
  profile: AccessProfile,
  teamId: string,
  input: { email: string; role: "member" | "maintainer" },
) {
  if (!isUuid(teamId)) throw notFound("Team");
  requireTeamMaintainer(profile, teamId);
  const user = await db().user.findUnique({
    where: { email: input.email },
    select: { id: true, email: true, ssoProviderId: true },
  });
  if (!user) throw validationFailed({ email: ["No user has this email; an admin must create the user first"] });
  // Their teams come from the provider's groups at every sign-in; a hand-made membership
  // would outlive the group that is meant to decide it.
  if (user.ssoProviderId)
    throw validationFailed({
      email: [`${input.email} signs in through single sign-on: their teams come from the provider's groups`],
    });
  try {
    await db().membership.create({ data: { teamId, userId: user.id, role: input.role } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw conflict(`${input.email} is already a member of this team`, {
        email: [`${input.email} is already a member of this team`],
      });
    }
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") throw notFound("Team");
    throw error;
  }
  return { id: user.id, email: user.email };
}

/**
 * Memberships set from the identity provider change only with the provider's groups: the
 * change below touches `source: local` rows only, in the same statement that checks it, so a
 * sign-in that turns a membership into a provider one meanwhile cannot be overwritten. When
 * nothing matched, this says whether a provider membership was the reason.
 */
async function refusedOrMissing(teamId: string, userId: string): Promise<never> {
  const membership = await db().membership.findUnique({
    where: { teamId_userId: { teamId, userId } },
    select: { source: true },
  });
  if (membership?.source === "sso")
    throw conflict("This membership comes from the identity provider's groups and cannot be changed by hand");
  throw notFound("Member");
}

export async function updateMember(
  profile: AccessProfile,
  teamId: string,
  userId: string,
  role: "member" | "maintainer",
): Promise<void> {
  if (!isUuid(teamId) || !isUuid(userId)) throw notFound("Member");
  requireTeamMaintainer(profile, teamId);
  if ((await db().membership.updateMany({ where: { teamId, userId, source: "local" }, data: { role } })).count === 0)
    await refusedOrMissing(teamId, userId);
}

export async function removeMember(profile: AccessProfile, teamId: string, userId: string): Promise<void> {
  if (!isUuid(teamId) || !isUuid(userId)) throw notFound("Member");
  requireTeamMaintainer(profile, teamId);
  if ((await db().membership.deleteMany({ where: { teamId, userId, source: "local" } })).count === 0)
    await refusedOrMissing(teamId, userId);
}
