import "server-only";
import { resolveGrantClusters } from "@/lib/server/access/profile";
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
  const [grants, clusters, admins] = await Promise.all([
    db().grant.findMany({
      where: { teamId: { in: teamIds } },
      select: { teamId: true, clusterSelector: true, clusterIds: true },
    }),
    teamIds.length ? db().cluster.findMany({ select: { id: true, labels: true } }) : Promise.resolve([]),
    db().user.findMany({ where: { id: { in: creatorIds }, isAdmin: true, disabledAt: null }, select: { id: true } }),
  ]);
  const adminIds = new Set(admins.map((a) => a.id));
  const byTeam = new Map<string, Set<string>>();
  for (const grant of grants) {
    const ids = byTeam.get(grant.teamId) ?? new Set<string>();
    for (const id of resolveGrantClusters(grant, clusters)) ids.add(id);
    byTeam.set(grant.teamId, ids);
  }
  for (const s of subscriptions) {
    if (s.teamId) sights.set(s.id, { kind: "clusters", clusterIds: byTeam.get(s.teamId) ?? new Set() });
    else sights.set(s.id, s.createdById && adminIds.has(s.createdById) ? { kind: "fleet" } : { kind: "nothing" });
  }
  return sights;
}
