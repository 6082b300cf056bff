import "server-only";
import { z } from "zod";
import type { OwnerTeam, ReleaseDetail, ReleaseSummary } from "@/lib/api/rollout-types";
import { placesOfReleaseCluster, placesOfTarget } from "@/lib/server/access/coverage";
import { canSeeNamespace, visibleClusterIds, type AccessProfile } from "@/lib/server/access/policy";
import { decide, seesPlace } from "@/lib/server/access/resource-rules";
import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import { isUuid } from "@/lib/schemas/ids";

/**
 * Reads of releases, cut like rollouts (see rollouts/queries.ts): listed when the caller can
 * see one place the release writes to (rule `release.read`); clusters, drift, rollouts and
 * counts cut to what is visible.
 */

const driftEntrySchema = z.object({
  kind: z.string().optional(),
  namespace: z.string().nullable().optional(),
  name: z.string().optional(),
  problem: z.string().optional(),
  managers: z.array(z.string()).optional(),
  error: z.string().optional(),
});
const driftDetailsSchema = z.array(driftEntrySchema);

const teamOf = (team: { id: string; name: string } | null): OwnerTeam =>
  team ? { id: team.id, name: team.name } : null;

/** A cluster entry with nothing applied yet is seen by whoever sees the cluster. */
const seesEntry = (profile: AccessProfile, entry: { clusterId: string; objects: unknown }) => {
  const places = placesOfReleaseCluster(entry);
  return (places.length ? places : [{ clusterId: entry.clusterId, namespace: undefined }]).some((place) =>
    seesPlace(profile, place),
  );
};

const templateReadable = (profile: AccessProfile, template: { teamId: string | null }) =>
  decide(profile, "template.read", { teamId: template.teamId, places: [] }) === "allowed";

export async function listReleases(profile: AccessProfile): Promise<ReleaseSummary[]> {
  const visible = visibleClusterIds(profile);
  const releases = await db().release.findMany({
    where: visible === "all" ? {} : { clusters: { some: { clusterId: { in: [...visible] } } } },
    include: {
      team: { select: { id: true, name: true } },
      template: { select: { name: true, teamId: true } },
      clusters: { select: { clusterId: true, objects: true, revisionNumber: true, driftState: true } },
      rollouts: {
        orderBy: { createdAt: "desc" },
        take: 1,
        select: { id: true, state: true, createdAt: true, targets: { select: { clusterId: true, scope: true } } },
      },
    },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  return releases.flatMap((release) => {
    const clusters = profile.isAdmin ? release.clusters : release.clusters.filter((c) => seesEntry(profile, c));
    if (clusters.length === 0) return [];
    const last = release.rollouts[0];
    const lastVisible =
      last && (profile.isAdmin || last.targets.flatMap(placesOfTarget).some((p) => seesPlace(profile, p)));
    return [
      {
        id: release.id,
        team: teamOf(release.team),
        name: release.name,
        template: templateReadable(profile, release.template) ? release.template.name : null,
        autoHeal: release.autoHeal,
        clusters: clusters.length,
        drifted: clusters.filter((c) => c.driftState === "drifted").length,
        revisions: [...new Set(clusters.map((c) => c.revisionNumber))].sort((a, b) => a - b),
        lastRollout: lastVisible ? { id: last.id, state: last.state, createdAt: last.createdAt.toISOString() } : null,
      },
    ];
  });
}

/** Drift entries of one cluster, cut to visible namespaces (an error entry names no object and stays). */
export function visibleDrift(profile: AccessProfile, clusterId: string, details: unknown) {
  const parsed = driftDetailsSchema.safeParse(details);
  if (!parsed.success) return [];
  return parsed.data
    .filter((entry) => entry.error !== undefined || canSeeNamespace(profile, clusterId, entry.namespace ?? null))
    .map((entry) => ({
      kind: entry.kind ?? "",
      namespace: entry.namespace ?? null,
      name: entry.name ?? "",
      problem: entry.problem ?? "error",
      ...(entry.managers ? { managers: entry.managers } : {}),
      ...(entry.error ? { error: entry.error } : {}),
    }));
}

export async function getRelease(profile: AccessProfile, id: string): Promise<ReleaseDetail> {
  if (!isUuid(id)) throw notFound("Release");
  const release = await db().release.findUnique({
    where: { id },
    include: {
      team: { select: { id: true, name: true } },
      template: {
        select: {
          id: true,
          teamId: true,
          name: true,
          revisions: { select: { number: true, createdAt: true, message: true }, orderBy: { number: "desc" } },
        },
      },
      clusters: { include: { cluster: { select: { name: true } } } },
      rollouts: {
        orderBy: { createdAt: "desc" },
        take: 50,
        include: { revision: { select: { number: true } }, targets: { select: { clusterId: true, scope: true } } },
      },
    },
  });
  if (!release) throw notFound("Release");
  const places = [
    ...release.clusters.flatMap(placesOfReleaseCluster),
    ...release.rollouts.flatMap((r) => r.targets.flatMap(placesOfTarget)),
  ];
  if (decide(profile, "release.read", { teamId: release.teamId, places }) !== "allowed") throw notFound("Release");
  const sees = (place: { clusterId: string; namespace: string | null | undefined }) =>
    profile.isAdmin || seesPlace(profile, place);
  const clusters = release.clusters.filter((c) => profile.isAdmin || seesEntry(profile, c));
  const template = release.template;
  return {
    id: release.id,
    team: teamOf(release.team),
    name: release.name,
    autoHeal: release.autoHeal,
    template: templateReadable(profile, template)
      ? {
          id: template.id,
          name: template.name,
          revisions: template.revisions.map((r) => ({
            number: r.number,
            message: r.message,
            createdAt: r.createdAt.toISOString(),
          })),
        }
      : null,
    clusters: clusters.map((c) => ({
      clusterId: c.clusterId,
      clusterName: c.cluster.name,
      revision: c.revisionNumber,
      appliedAt: c.appliedAt.toISOString(),
      driftState: c.driftState,
      drift: visibleDrift(profile, c.clusterId, c.driftDetails),
      driftCheckedAt: c.driftCheckedAt?.toISOString() ?? null,
    })),
    rollouts: release.rollouts.flatMap((r) => {
      const visibleTargets = r.targets.filter((t) => placesOfTarget(t).some(sees));
      if (visibleTargets.length === 0) return [];
      return [
        {
          id: r.id,
          state: r.state,
          revision: r.revision.number,
          createdByEmail: r.createdByEmail,
          createdAt: r.createdAt.toISOString(),
          finishedAt: r.finishedAt?.toISOString() ?? null,
          targets: visibleTargets.length,
        },
      ];
    }),
  };
}
