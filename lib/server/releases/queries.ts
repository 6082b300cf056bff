import "server-only";
import { canSeeCluster, type AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import { isUuid } from "@/lib/schemas/ids";

/** Given the release's clusters the caller can see: admins and the release's creator see it regardless. */
const canSeeRelease = (profile: AccessProfile, release: { createdById: string | null }, visibleClusters: number) =>
  profile.isAdmin || visibleClusters > 0 || release.createdById === profile.userId;

/** Releases a caller can see: those on at least one cluster they can see (admins: all). */
export async function listReleases(profile: AccessProfile) {
  const releases = await db().release.findMany({
    include: {
      template: { select: { name: true } },
      clusters: { select: { clusterId: true, revisionNumber: true, driftState: true } },
      rollouts: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, state: true, createdAt: true } },
    },
    orderBy: { name: "asc" },
  });
  return releases
    .map((release) => ({ ...release, clusters: release.clusters.filter((c) => canSeeCluster(profile, c.clusterId)) }))
    .filter((release) => canSeeRelease(profile, release, release.clusters.length))
    .map((release) => ({
      id: release.id,
      name: release.name,
      template: release.template.name,
      autoHeal: release.autoHeal,
      clusters: release.clusters.length,
      drifted: release.clusters.filter((c) => c.driftState === "drifted").length,
      revisions: [...new Set(release.clusters.map((c) => c.revisionNumber))].sort((a, b) => a - b),
      lastRollout: release.rollouts[0]
        ? {
            id: release.rollouts[0].id,
            state: release.rollouts[0].state,
            createdAt: release.rollouts[0].createdAt.toISOString(),
          }
        : null,
    }));
}

export async function getRelease(profile: AccessProfile, id: string) {
  if (!isUuid(id)) throw notFound("Release");
  const release = await db().release.findUnique({
    where: { id },
    include: {
      template: {
        select: {
          id: true,
          name: true,
          revisions: { select: { number: true, createdAt: true, message: true }, orderBy: { number: "desc" } },
        },
      },
      clusters: { include: { cluster: { select: { name: true } } } },
      rollouts: {
        orderBy: { createdAt: "desc" },
        take: 50,
        include: { revision: { select: { number: true } }, _count: { select: { targets: true } } },
      },
    },
  });
  if (!release) throw notFound("Release");
  const clusters = release.clusters.filter((c) => canSeeCluster(profile, c.clusterId));
  if (!canSeeRelease(profile, release, clusters.length)) throw notFound("Release");
  return {
    id: release.id,
    name: release.name,
    autoHeal: release.autoHeal,
    template: {
      id: release.template.id,
      name: release.template.name,
      revisions: release.template.revisions.map((r) => ({
        number: r.number,
        message: r.message,
        createdAt: r.createdAt.toISOString(),
      })),
    },
    clusters: clusters.map((c) => ({
      clusterId: c.clusterId,
      clusterName: c.cluster.name,
      revision: c.revisionNumber,
      appliedAt: c.appliedAt.toISOString(),
      driftState: c.driftState,
      drift: c.driftDetails,
      driftCheckedAt: c.driftCheckedAt?.toISOString() ?? null,
    })),
    rollouts: release.rollouts.map((r) => ({
      id: r.id,
      state: r.state,
      revision: r.revision.number,
      createdByEmail: r.createdByEmail,
      createdAt: r.createdAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      targets: r._count.targets,
      params: r.params,
    })),
  };
}

export async function lastParamsFor(releaseId: string, revisionNumber: number) {
  const rollout = await db().rollout.findFirst({
    where: { releaseId, revision: { number: revisionNumber } },
    orderBy: { createdAt: "desc" },
    select: { params: true },
  });
  return (rollout?.params ?? null) as Record<string, unknown> | null;
}
