import "server-only";
import type { ClusterView } from "@/lib/api/cluster-types";
import type { ClusterAnswer } from "@/lib/api/inventory-types";
import type { OverviewClusterRow, OverviewResponse, OverviewRelease, OverviewRollout } from "@/lib/api/overview-types";
import { compareNatural } from "@/lib/format/natural-sort";
import { Prisma } from "@/lib/generated/prisma/client";
import { HEALTH_STATES, type Health } from "@/lib/k8s/kinds";
import { visibleClusterIds, type AccessProfile } from "@/lib/server/access/policy";
import { rolloutVisibleSql } from "@/lib/server/access/visibility-sql";
import { listClusters } from "@/lib/server/clusters/queries";
import { db } from "@/lib/server/db/client";
import { queryInventory } from "@/lib/server/inventory/query";
import { listReleases } from "@/lib/server/releases/queries";
import { getRollout } from "@/lib/server/rollouts/queries";
import { listInventoryQuerySchema } from "@/lib/schemas/inventory";

/**
 * The fleet overview: one answer that composes the lists the other pages read, each cut to
 * the caller's grants by the same function those pages call (listClusters with
 * visibleClusterIds, queryInventory, listReleases, getRollout). Nothing is counted here that
 * the caller could not find by following the link behind the number, and no hidden cluster
 * enters a count: every part starts from what access/ lets this caller see.
 */

/** Rollouts still moving: what "in flight" means on the overview. */
const IN_FLIGHT = ["running", "paused", "rolling_back"] as const;
/** The overview names this many rollouts in flight; the count covers them all. */
const ROLLOUTS_SHOWN = 20;
const PAGE = 500;

export async function fleetOverview(profile: AccessProfile): Promise<OverviewResponse> {
  const started = performance.now();
  const [clusters, workloads, rollouts, releases] = await Promise.all([
    visibleClusters(profile),
    workloadsByHealth(profile),
    rolloutsInFlight(profile),
    driftedReleases(profile),
  ]);
  const byStatus = { never_checked: 0, reachable: 0, unreachable: 0 };
  for (const cluster of clusters) byStatus[cluster.status] += 1;

  const totals = emptyHealth();
  const rows: OverviewClusterRow[] = clusters
    .map((cluster) => {
      const counts = workloads.get(cluster.id);
      const row = counts?.workloads ?? emptyHealth();
      for (const state of HEALTH_STATES) totals[state] += row[state];
      return {
        id: cluster.id,
        name: cluster.name,
        status: cluster.status,
        kubernetesVersion: cluster.kubernetesVersion,
        // A cluster registered between the two reads has not been asked yet: reported as not answered.
        inventory: counts?.answer ?? "timed_out",
        workloads: row,
      };
    })
    .sort((a, b) => compareNatural(a.name, b.name));

  return {
    clusters: { total: clusters.length, byStatus },
    workloads: { totals, clusters: rows },
    rollouts,
    releases,
    tookMs: Math.round(performance.now() - started),
  };
}

const emptyHealth = (): Record<Health, number> =>
  Object.fromEntries(HEALTH_STATES.map((state) => [state, 0])) as Record<Health, number>;

async function visibleClusters(profile: AccessProfile): Promise<ClusterView[]> {
  const visible = visibleClusterIds(profile);
  const clusters: ClusterView[] = [];
  for (let page = 1; ; page += 1) {
    const answer = await listClusters({ page, pageSize: PAGE }, visible);
    clusters.push(...answer.clusters);
    if (clusters.length >= answer.counts.total || answer.clusters.length === 0) return clusters;
  }
}

/**
 * Workloads per cluster and health: the inventory's own per-cluster match counts, asked once
 * per health state (five counts over the fleet index, exact: the overview's cells must not be
 * capped like a list's total). The numbers are then exactly what the inventory page shows
 * behind each cell's link (`/inventory?health=…&clusters=…`).
 */
async function workloadsByHealth(
  profile: AccessProfile,
): Promise<Map<string, { answer: ClusterAnswer; workloads: Record<Health, number> }>> {
  const answers = await Promise.all(
    HEALTH_STATES.map((health) =>
      queryInventory(profile, listInventoryQuerySchema.parse({ view: "workloads", health, pageSize: 1 }), {
        exactCounts: true,
      }),
    ),
  );
  const byCluster = new Map<string, { answer: ClusterAnswer; workloads: Record<Health, number> }>();
  answers.forEach((answer, index) => {
    const health = HEALTH_STATES[index]!;
    for (const cluster of answer.clusters) {
      const entry = byCluster.get(cluster.id) ?? { answer: cluster.state, workloads: emptyHealth() };
      entry.workloads[health] = cluster.count ?? 0;
      // The worst answer of the five asks is the one to report.
      if (entry.answer === "ok" && cluster.state !== "ok") entry.answer = cluster.state;
      byCluster.set(cluster.id, entry);
    }
  });
  return byCluster;
}

async function rolloutsInFlight(profile: AccessProfile): Promise<OverviewResponse["rollouts"]> {
  const states = Prisma.join(IN_FLIGHT.map((state) => Prisma.sql`${state}::"RolloutState"`));
  const rows = await db().$queryRaw<Array<{ id: string }>>(
    Prisma.sql`SELECT r.id::text AS id FROM rollouts r
      WHERE r.state IN (${states}) AND ${rolloutVisibleSql(profile, "r")}
      ORDER BY r.created_at DESC, r.id DESC`,
  );
  // Each through the rollout page's own reader: its waves and targets are already cut and renumbered.
  const items: OverviewRollout[] = [];
  for (const { id } of rows.slice(0, ROLLOUTS_SHOWN)) {
    const rollout = await getRollout(profile, id).catch(() => null);
    if (!rollout) continue;
    items.push({
      id: rollout.id,
      release: rollout.release.name,
      state: rollout.state,
      currentWave: rollout.currentWave,
      waves: rollout.waves.length,
      targets: rollout.targets.length,
      succeeded: rollout.targets.filter((t) => t.state === "succeeded").length,
      failed: rollout.targets.filter((t) => t.state === "failed").length,
      createdAt: rollout.createdAt,
    });
  }
  return { total: rows.length, items };
}

/** Releases with drift, read through the releases list (its drift count is already cut to the caller). */
async function driftedReleases(profile: AccessProfile): Promise<OverviewResponse["releases"]> {
  const items: OverviewRelease[] = [];
  let cursor: Parameters<typeof listReleases>[1]["cursor"];
  for (;;) {
    const page = await listReleases(profile, { pageSize: 200, cursor });
    for (const release of page.releases)
      if (release.drifted > 0)
        items.push({ id: release.id, name: release.name, clusters: release.clusters, drifted: release.drifted });
    if (!page.nextCursor) break;
    const last = page.releases.at(-1);
    if (!last) break;
    cursor = { list: "releases", name: last.name, id: last.id };
  }
  return { drifted: items.length, items: items.sort((a, b) => compareNatural(a.name, b.name)) };
}
