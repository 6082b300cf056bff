import "server-only";
import { z } from "zod";
import { ACCESS_LEVELS } from "@/lib/schemas/access";
import { db } from "@/lib/server/db/client";
import { forbidden, notFound } from "@/lib/server/errors/app-error";
import { isUuid } from "@/lib/schemas/ids";
import { placementOfApplied, type Placement } from "./placement";
import type { AccessProfile } from "./policy";
import { decide, seesPlace, type Coverage, type CoveredPlace, type ResourceAction } from "./resource-rules";

/** RolloutTarget.scope: where the target writes, decided at start from the cluster's discovery. */
export const targetScopeSchema = z.array(z.object({ namespace: z.string().nullable(), level: z.enum(ACCESS_LEVELS) }));

/** ReleaseCluster.objects: references of what the release applied there. */
export const appliedRefsSchema = z.array(
  z.object({ apiVersion: z.string(), kind: z.string(), namespace: z.string().nullable(), name: z.string() }),
);

/**
 * A target's places. A target stored without scope (started before scopes were recorded)
 * covers its whole cluster at deploy level, so nothing is decided over less than it touches.
 */
export function placesOfTarget(target: { clusterId: string; scope: unknown }): CoveredPlace[] {
  const parsed = targetScopeSchema.safeParse(target.scope);
  const scope: Placement[] = parsed.success ? parsed.data : [];
  if (scope.length === 0) return [{ clusterId: target.clusterId, namespace: undefined, level: "deploy" }];
  return scope.map((place) => ({ clusterId: target.clusterId, ...place }));
}

/** What a release applied on one cluster (nothing yet: no place; its rollouts' targets say where it writes). */
export function placesOfReleaseCluster(entry: { clusterId: string; objects: unknown }): CoveredPlace[] {
  const parsed = appliedRefsSchema.safeParse(entry.objects);
  if (!parsed.success) return [{ clusterId: entry.clusterId, namespace: undefined, level: "deploy" }];
  return parsed.data.map((ref) => ({ clusterId: entry.clusterId, ...placementOfApplied(ref) }));
}

/** Does the caller see some place a target writes to? (Its list twin in SQL: visibility-sql.ts.) */
export const seesTarget = (profile: AccessProfile, target: { clusterId: string; scope: unknown }) =>
  profile.isAdmin || placesOfTarget(target).some((place) => seesPlace(profile, place));

/**
 * Does the caller see a release's cluster entry? An entry with nothing applied yet is seen by
 * whoever sees the cluster. (Its list twin in SQL: visibility-sql.ts.)
 */
export function seesReleaseEntry(profile: AccessProfile, entry: { clusterId: string; objects: unknown }): boolean {
  if (profile.isAdmin) return true;
  const places = placesOfReleaseCluster(entry);
  return (places.length ? places : [{ clusterId: entry.clusterId, namespace: undefined }]).some((place) =>
    seesPlace(profile, place),
  );
}

/** Places on clusters that no longer exist are dropped: nothing can be done there any more. */
async function existing(places: CoveredPlace[]): Promise<CoveredPlace[]> {
  const ids = [...new Set(places.map((place) => place.clusterId))];
  const found = new Set(
    (await db().cluster.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((c) => c.id),
  );
  return places.filter((place) => found.has(place.clusterId));
}

/** Every place a rollout writes to, over all its targets. Null when there is no such rollout. */
export async function rolloutCoverage(rolloutId: string): Promise<Coverage | null> {
  if (!isUuid(rolloutId)) return null;
  const rollout = await db().rollout.findUnique({
    where: { id: rolloutId },
    select: { teamId: true, targets: { select: { clusterId: true, scope: true } } },
  });
  if (!rollout) return null;
  return { teamId: rollout.teamId, places: await existing(rollout.targets.flatMap(placesOfTarget)) };
}

/**
 * Every place a release writes to: what it applied on each cluster, plus where every one of
 * its rollouts' targets writes (in flight or failed before anything was applied: a heal or a
 * rollback would write there too).
 */
export async function releaseCoverage(releaseId: string): Promise<Coverage | null> {
  if (!isUuid(releaseId)) return null;
  const release = await db().release.findUnique({
    where: { id: releaseId },
    select: {
      teamId: true,
      clusters: { select: { clusterId: true, objects: true } },
      rollouts: { select: { targets: { select: { clusterId: true, scope: true } } } },
    },
  });
  if (!release) return null;
  const places = [
    ...release.clusters.flatMap(placesOfReleaseCluster),
    ...release.rollouts.flatMap((rollout) => rollout.targets.flatMap(placesOfTarget)),
  ];
  return { teamId: release.teamId, places: await existing(places) };
}

function enforce(decision: ReturnType<typeof decide>, what: string, action: ResourceAction): void {
  if (decision === "hidden") throw notFound(what);
  if (decision === "forbidden") {
    const verb = action.split(".")[1]!.replace("-", " ");
    throw forbidden(
      `To ${verb} this ${what.toLowerCase()} you need the required access on every cluster and namespace it covers` +
        (action === "release.rollback" || action === "release.add-rollout" ? ", as a member of its team" : ""),
    );
  }
}

/** Throws 404 (cannot see any of it) or 403 (sees it, may not do this); returns the coverage decided over. */
export async function requireOnRollout(profile: AccessProfile, action: ResourceAction, rolloutId: string) {
  const coverage = await rolloutCoverage(rolloutId);
  if (!coverage) throw notFound("Rollout");
  enforce(decide(profile, action, coverage), "Rollout", action);
  return coverage;
}

export async function requireOnRelease(profile: AccessProfile, action: ResourceAction, releaseId: string) {
  const coverage = await releaseCoverage(releaseId);
  if (!coverage) throw notFound("Release");
  enforce(decide(profile, action, coverage), "Release", action);
  return coverage;
}

/** Templates: read and use need the owning team (or a global template); writing needs the team and deploy somewhere. */
export async function requireOnTemplate(profile: AccessProfile, action: ResourceAction, templateId: string) {
  const template = isUuid(templateId)
    ? await db().template.findUnique({ where: { id: templateId }, select: { id: true, teamId: true, name: true } })
    : null;
  if (!template) throw notFound("Template");
  const decision = decide(profile, action, { teamId: template.teamId, places: [] });
  if (decision === "hidden") throw notFound("Template");
  if (decision === "forbidden")
    throw forbidden(
      template.teamId === null
        ? "Only admins can change global templates"
        : "Writing templates needs deploy access to at least one namespace",
    );
  return template;
}
