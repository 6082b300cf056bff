import "server-only";
import { resolveGrantClusters } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import type { SubscriberSight } from "@/lib/server/access/subscriber";
import { db } from "@/lib/server/db/client";

/**
 * What each subscription's owner sees now (access/subscriber.ts decides with it): a team's
 * grants resolved against the clusters' labels as they are, or the fleet for an admins'
 * subscription while its creator is an enabled admin.
 */
export async function sightsOf(
  subscriptions: Array<{ id: string; teamId: string | null; createdById: string | null }>,
) {
  const sights = new Map<string, SubscriberSight>();
  if (subscriptions.length === 0) return sights;
  const teamIds = [...new Set(subscriptions.flatMap((s) => (s.teamId ? [s.teamId] : [])))];
  const creatorIds = [...new Set(subscriptions.flatMap((s) => (!s.teamId && s.createdById ? [s.createdById] : [])))];
  const [teams, clusters, admins] = await Promise.all([
    db().team.findMany({ where: { id: { in: teamIds } }, include: { grants: true } }),
    teamIds.length ? db().cluster.findMany({ select: { id: true, labels: true } }) : Promise.resolve([]),
    db().user.findMany({ where: { id: { in: creatorIds }, isAdmin: true, disabledAt: null }, select: { id: true } }),
  ]);
  const adminIds = new Set(admins.map((a) => a.id));
  // A team's sight is a profile holding only that team's grants: the same policy functions decide.
  const byTeam = new Map<string, AccessProfile>(
    teams.map((team) => [
      team.id,
      {
        userId: "",
        email: "",
        isAdmin: false,
        teamNames: [team.name],
        memberOf: new Set([team.id]),
        maintainerOf: new Set<string>(),
        grants: team.grants.map((grant) => ({
          grantId: grant.id,
          teamId: team.id,
          teamName: team.name,
          clusterIds: resolveGrantClusters(grant, clusters),
          namespaces: grant.namespaces,
          clusterScoped: grant.clusterScoped,
          level: grant.level,
          secrets: grant.secrets,
        })),
      },
    ]),
  );
  for (const s of subscriptions) {
    const team = s.teamId ? byTeam.get(s.teamId) : undefined;
    if (s.teamId) sights.set(s.id, team ? { kind: "team", profile: team } : { kind: "nothing" });
    else sights.set(s.id, s.createdById && adminIds.has(s.createdById) ? { kind: "fleet" } : { kind: "nothing" });
  }
  return sights;
}
