import "server-only";
import pLimit from "p-limit";
import type { AccessPreviewView, GrantView } from "@/lib/api/team-types";
import type { GrantBody } from "@/lib/schemas/access";
import { transportFor } from "@/lib/server/clusters/connection";
import { db } from "@/lib/server/db/client";
import { notFound, validationFailed } from "@/lib/server/errors/app-error";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { matchesAnyNamespace } from "@/lib/k8s/namespace-patterns";
import { requireAdmin, requireTeamVisible } from "./guard";
import { levelAtLeast, secretsAtLeast, type AccessProfile } from "./policy";
import { resolveGrantClusters } from "./profile";
import { isUuid } from "@/lib/schemas/ids";

async function assertClustersExist(clusterIds: string[]): Promise<void> {
  if (clusterIds.length === 0) return;
  const found = new Set(
    (await db().cluster.findMany({ where: { id: { in: clusterIds } }, select: { id: true } })).map((c) => c.id),
  );
  const problems: Record<string, string[]> = {};
  clusterIds.forEach((id, index) => {
    if (!found.has(id)) problems[`clusterIds.${index}`] = [`No cluster with id ${id}`];
  });
  if (Object.keys(problems).length) throw validationFailed(problems);
}

export async function createGrant(profile: AccessProfile, teamId: string, body: GrantBody): Promise<string> {
  requireAdmin(profile);
  if (!isUuid(teamId) || !(await db().team.findUnique({ where: { id: teamId }, select: { id: true } })))
    throw notFound("Team");
  await assertClustersExist(body.clusterIds);
  const grant = await db().grant.create({
    data: {
      teamId,
      clusterSelector: body.clusterSelector || null,
      clusterIds: [...new Set(body.clusterIds)],
      namespaces: [...new Set(body.namespaces)],
      clusterScoped: body.clusterScoped,
      level: body.level,
      secrets: body.secrets,
    },
  });
  return grant.id;
}

export async function deleteGrant(profile: AccessProfile, teamId: string, grantId: string): Promise<void> {
  requireAdmin(profile);
  if (
    !isUuid(teamId) ||
    !isUuid(grantId) ||
    (await db().grant.deleteMany({ where: { id: grantId, teamId } })).count === 0
  )
    throw notFound("Grant");
}

/** Which clusters a selector and/or list would match right now (for the grant form). */
export async function previewGrantClusters(
  profile: AccessProfile,
  input: { clusterSelector?: string | null; clusterIds: string[] },
): Promise<GrantView["matchedClusters"]> {
  requireAdmin(profile);
  const clusters = await db().cluster.findMany({
    select: { id: true, name: true, labels: true },
    orderBy: { name: "asc" },
  });
  const matched = resolveGrantClusters(
    { clusterSelector: input.clusterSelector ?? null, clusterIds: input.clusterIds },
    clusters,
  );
  return clusters.filter((c) => matched.has(c.id)).map((c) => ({ id: c.id, name: c.name }));
}

/**
 * What a team can see right now: for each covered cluster, the strongest level and secret
 * access, the namespace patterns, and the namespaces that exist there and match (listed
 * with Archipelago's own credential, bounded by the per-cluster timeout).
 */
export async function teamAccessPreview(profile: AccessProfile, teamId: string): Promise<AccessPreviewView> {
  if (!isUuid(teamId)) throw notFound("Team");
  requireTeamVisible(profile, teamId);
  const team = await db().team.findUnique({ where: { id: teamId }, include: { grants: true } });
  if (!team) throw notFound("Team");
  const clusters = await db().cluster.findMany({
    select: { id: true, name: true, labels: true, status: true },
    orderBy: { name: "asc" },
  });

  const perCluster = new Map<
    string,
    { level: GrantBody["level"]; secrets: GrantBody["secrets"]; clusterScoped: boolean; patterns: Set<string> }
  >();
  for (const grant of team.grants) {
    for (const id of resolveGrantClusters(grant, clusters)) {
      const entry = perCluster.get(id) ?? {
        level: grant.level,
        secrets: grant.secrets,
        clusterScoped: false,
        patterns: new Set<string>(),
      };
      if (levelAtLeast(grant.level, entry.level)) entry.level = grant.level;
      if (secretsAtLeast(grant.secrets, entry.secrets)) entry.secrets = grant.secrets;
      entry.clusterScoped ||= grant.clusterScoped;
      for (const pattern of grant.namespaces) entry.patterns.add(pattern);
      perCluster.set(id, entry);
    }
  }

  const limit = pLimit(8);
  const rows = await Promise.all(
    clusters
      .filter((cluster) => perCluster.has(cluster.id))
      .map((cluster) =>
        limit(async () => {
          const entry = perCluster.get(cluster.id)!;
          const patterns = [...entry.patterns].sort();
          let namespaces: string[] | null = null;
          let error: string | null = null;
          try {
            const list = await (
              await transportFor(cluster.id)
            ).json<{ items: Array<{ metadata: { name: string } }> }>({ method: "GET", path: "/api/v1/namespaces" });
            namespaces = list.items
              .map((item) => item.metadata.name)
              .filter((name) => matchesAnyNamespace(patterns, name))
              .sort();
          } catch (caught) {
            error = classifyClusterError(caught).message;
          }
          return {
            id: cluster.id,
            name: cluster.name,
            status: cluster.status,
            level: entry.level,
            secrets: entry.secrets,
            clusterScoped: entry.clusterScoped,
            patterns,
            namespaces,
            error,
          };
        }),
      ),
  );
  return { clusters: rows };
}
