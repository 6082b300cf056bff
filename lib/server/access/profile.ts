import "server-only";
import type { Caller } from "@/lib/server/auth/caller";
import { db } from "@/lib/server/db/client";
import { stringRecord } from "@/lib/server/db/json";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";
import type { AccessProfile, ResolvedGrant } from "./policy";

type LabelledCluster = { id: string; labels: unknown };

/** Which clusters a grant's selector and explicit list cover, given the clusters as they are now. */
export function resolveGrantClusters(
  grant: { clusterSelector: string | null; clusterIds: string[] },
  clusters: LabelledCluster[],
): Set<string> {
  const ids = new Set<string>();
  const known = new Set(clusters.map((cluster) => cluster.id));
  for (const id of grant.clusterIds) if (known.has(id)) ids.add(id);
  if (grant.clusterSelector) {
    const selector = parseSelector(grant.clusterSelector);
    for (const cluster of clusters) if (matchesSelector(selector, stringRecord(cluster.labels))) ids.add(cluster.id);
  }
  return ids;
}

/**
 * Loads what the caller may see and do, from the database, for this request. Grants are
 * resolved against cluster labels as they are now, and labels are admin-only and audited,
 * so a selector cannot be widened by anyone who is not an admin.
 */
export async function loadAccessProfile(caller: Caller): Promise<AccessProfile> {
  const memberships = await db().membership.findMany({
    where: { userId: caller.user.id },
    include: { team: { include: { grants: true } } },
  });
  const sso = await db().user.findUnique({
    where: { id: caller.user.id },
    select: { ssoGroups: true, ssoProvider: { select: { sendGroupsToClusters: true, clusterGroupPrefix: true } } },
  });
  const base = {
    userId: caller.user.id,
    email: caller.user.email,
    isAdmin: caller.user.isAdmin,
    teamNames: memberships.map((m) => m.team.name).sort(),
    // Never unprefixed: a raw provider group could be named like a team or a binding made for others.
    providerGroups:
      sso?.ssoProvider?.sendGroupsToClusters && sso.ssoProvider.clusterGroupPrefix
        ? sso.ssoGroups.map((group) => `${sso.ssoProvider!.clusterGroupPrefix}${group}`).sort()
        : [],
    memberOf: new Set(memberships.map((m) => m.teamId)),
    maintainerOf: new Set(memberships.filter((m) => m.role === "maintainer").map((m) => m.teamId)),
  };
  if (caller.user.isAdmin || memberships.every((m) => m.team.grants.length === 0)) return { ...base, grants: [] };

  const clusters = await db().cluster.findMany({ select: { id: true, labels: true } });
  const grants: ResolvedGrant[] = memberships.flatMap((membership) =>
    membership.team.grants.map((grant) => ({
      grantId: grant.id,
      teamId: membership.teamId,
      teamName: membership.team.name,
      clusterIds: resolveGrantClusters(grant, clusters),
      namespaces: grant.namespaces,
      clusterScoped: grant.clusterScoped,
      level: grant.level,
      secrets: grant.secrets,
    })),
  );
  return { ...base, grants };
}
