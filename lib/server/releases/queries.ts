import "server-only";
import { secretParamViews } from "./secret-views";
import { z } from "zod";
import type { ReleaseDetail, ReleasePage } from "@/lib/api/rollout-types";
import { Prisma } from "@/lib/generated/prisma/client";
import { placesOfReleaseCluster, placesOfTarget, seesReleaseEntry, seesTarget } from "@/lib/server/access/coverage";
import { canSeeNamespace, type AccessProfile } from "@/lib/server/access/policy";
import { canReadTemplate, decide, seesPlace } from "@/lib/server/access/resource-rules";
import { ownerTeamView } from "@/lib/server/access/owner-team";
import { mayCompareSecretValues } from "@/lib/server/access/ownership";
import { releaseVisibleSql } from "@/lib/server/access/visibility-sql";
import { db } from "@/lib/server/db/client";
import { keysetPage } from "@/lib/server/db/keyset-page";
import { notFound } from "@/lib/server/errors/app-error";
import { isUuid } from "@/lib/schemas/ids";
import type { ListReleasesQuery } from "@/lib/schemas/lists";
import { encodeCursor } from "@/lib/schemas/paging";
import { storedParamsSchema } from "./columns";
import { namedFor } from "./owner-words";
import { holdersOf } from "./writers";

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
  takenOverBy: z.string().optional(),
  error: z.string().optional(),
  keys: z.array(z.object({ key: z.string(), change: z.enum(["added", "changed", "removed"]) })).optional(),
});
const driftDetailsSchema = z.array(driftEntrySchema);

/**
 * One page of the releases the caller may read, by name. Visibility (one of its cluster
 * entries or one of its rollouts' targets is visible: rule `release.read`), order, the page
 * cut and the total are decided in SQL (access/visibility-sql.ts) in one repeatable-read
 * transaction; only the page's rows are loaded, then cut per row as before.
 */
export async function listReleases(profile: AccessProfile, query: ListReleasesQuery): Promise<ReleasePage> {
  const visible = releaseVisibleSql(profile, "r");
  const after = query.cursor
    ? Prisma.sql`AND (r.name, r.id) > (${query.cursor.name}, ${query.cursor.id}::uuid)`
    : Prisma.empty;
  const { keys, total } = await keysetPage<{ id: string; name: string }>(
    Prisma.sql`SELECT r.id::text AS id, r.name FROM releases r
      WHERE ${visible} ${after}
      ORDER BY r.name ASC, r.id ASC
      LIMIT ${query.pageSize + 1}`,
    Prisma.sql`SELECT count(*)::int AS total FROM releases r WHERE ${visible}`,
  );
  // Loaded outside the transaction: Prisma runs an include's queries concurrently, which a
  // transaction's single connection only queues (pg warns). A row deleted meanwhile is left out.
  const releases = await db().release.findMany({
    where: { id: { in: keys.slice(0, query.pageSize).map((key) => key.id) } },
    include: {
      team: { select: { id: true, name: true } },
      template: { select: { name: true, teamId: true } },
      clusters: {
        select: { clusterId: true, objects: true, revisionNumber: true, driftState: true, driftDetails: true },
      },
      rollouts: {
        orderBy: { createdAt: "desc" },
        take: 1,
        select: { id: true, state: true, createdAt: true, targets: { select: { clusterId: true, scope: true } } },
      },
    },
  });
  const byId = new Map(releases.map((release) => [release.id, release]));
  const last = keys.length > query.pageSize ? keys[query.pageSize - 1]! : null;
  return {
    total,
    nextCursor: last ? encodeCursor("releases", { name: last.name, id: last.id }) : null,
    releases: keys.slice(0, query.pageSize).flatMap(({ id }) => {
      const release = byId.get(id);
      if (!release) return [];
      const clusters = release.clusters.filter((c) => seesReleaseEntry(profile, c));
      const last = release.rollouts[0];
      const lastVisible = last && last.targets.some((target) => seesTarget(profile, target));
      return [
        {
          id: release.id,
          team: ownerTeamView(release.team),
          name: release.name,
          template: canReadTemplate(profile, release.template) ? release.template.name : null,
          autoHeal: release.autoHeal,
          clusters: clusters.length,
          drifted: clusters.filter((c) => visibleDriftState(profile, c) === "drifted").length,
          revisions: [...new Set(clusters.map((c) => c.revisionNumber))].sort((a, b) => a - b),
          lastRollout: lastVisible ? { id: last.id, state: last.state, createdAt: last.createdAt.toISOString() } : null,
        },
      ];
    }),
  };
}

/** A drift entry about one object the cluster refused (it names the object): cut like the object. */
const OBJECT_REFUSALS = new Set(["invalid", "forbidden", "error", "not-healed"]);

/**
 * Drift entries of one cluster, cut to visible namespaces (an error entry about no visible object
 * stays). A Secret's drift is cut further for whoever may not reveal values there (rule
 * `secret-value.compare`): which keys were added or removed stays, but whether a value differs
 * is no answer of theirs (it would confirm a guess), so "changed" keys are dropped and a Secret
 * with nothing else to show is left out.
 */
export async function visibleDrift(profile: AccessProfile, clusterId: string, details: unknown) {
  // Another release is stored by id (owner-words.ts): named here as this reader may know it.
  return Promise.all(
    cutDrift(profile, clusterId, details).entries.map(async (entry) => ({
      ...entry,
      ...(entry.takenOverBy ? { takenOverBy: await namedFor(profile, entry.takenOverBy) } : {}),
      ...(entry.error ? { error: await namedFor(profile, entry.error) } : {}),
    })),
  );
}

function cutDrift(profile: AccessProfile, clusterId: string, details: unknown) {
  const parsed = driftDetailsSchema.safeParse(details);
  if (!parsed.success) return { entries: [], withheld: false };
  let withheld = false;
  const entries = parsed.data
    .filter(
      (entry) =>
        (entry.error !== undefined && !OBJECT_REFUSALS.has(entry.problem ?? "")) ||
        canSeeNamespace(profile, clusterId, entry.namespace ?? null),
    )
    .flatMap((entry) => {
      let keys = entry.keys;
      const blind =
        entry.kind === "Secret" &&
        entry.problem === "changed" &&
        !mayCompareSecretValues(profile, clusterId, entry.namespace ?? null);
      if (blind) {
        keys = keys?.filter((key) => key.change !== "changed");
        if (!keys?.length) {
          withheld = true;
          return [];
        }
      }
      return [
        {
          kind: entry.kind ?? "",
          namespace: entry.namespace ?? null,
          name: entry.name ?? "",
          problem: entry.problem ?? "error",
          ...(entry.managers ? { managers: entry.managers } : {}),
          ...(entry.takenOverBy ? { takenOverBy: entry.takenOverBy } : {}),
          ...(entry.error ? { error: entry.error } : {}),
          ...(keys?.length ? { keys } : {}),
        },
      ];
    });
  return { entries, withheld };
}

/**
 * A cluster's drift state as the caller may know it: whoever sees only part of what the
 * release applied there, or may not compare a drifted Secret's values, hears "drifted" only
 * when something they may know of drifted.
 */
function visibleDriftState(
  profile: AccessProfile,
  entry: { clusterId: string; objects: unknown; driftState: string; driftDetails: unknown },
): string {
  if (entry.driftState !== "drifted" || profile.isAdmin) return entry.driftState;
  const places = placesOfReleaseCluster(entry);
  const cut = cutDrift(profile, entry.clusterId, entry.driftDetails);
  if (!cut.withheld && places.every((place) => seesPlace(profile, place))) return entry.driftState;
  return cut.entries.some((d) => d.problem !== "error" && d.problem !== "held") ? "drifted" : "in_sync";
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
  const clusters = release.clusters.filter((c) => seesReleaseEntry(profile, c));
  const template = release.template;
  // The current secret parameters are the newest rollout's: shown as set by whom and when, never a value.
  const newest = storedParamsSchema.safeParse(release.rollouts[0]?.params);
  const { secrets } = await secretParamViews(newest.success ? newest.data : {});
  const rollouts = release.rollouts.flatMap((r) => {
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
  });
  // Who writes each cluster now; a rollout is named only to whoever sees it in the history.
  const holders = await holdersOf(release.id);
  const shown = new Set(rollouts.map((r) => r.id));
  const heldBy = (clusterId: string): ReleaseDetail["clusters"][number]["heldBy"] => {
    const holder = holders.get(clusterId);
    if (!holder) return null;
    if (holder.kind === "heal") return { kind: "heal" };
    return { kind: "rollout", rolloutId: shown.has(holder.holderId) ? holder.holderId : null };
  };
  return {
    id: release.id,
    team: ownerTeamView(release.team),
    name: release.name,
    autoHeal: release.autoHeal,
    secretParams: secrets,
    template: canReadTemplate(profile, template)
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
    clusters: await Promise.all(
      clusters.map(async (c) => ({
        clusterId: c.clusterId,
        clusterName: c.cluster.name,
        revision: c.revisionNumber,
        appliedAt: c.appliedAt.toISOString(),
        driftState: visibleDriftState(profile, c),
        drift: await visibleDrift(profile, c.clusterId, c.driftDetails),
        driftCheckedAt: c.driftCheckedAt?.toISOString() ?? null,
        heldBy: heldBy(c.clusterId),
      })),
    ),
    rollouts,
  };
}
