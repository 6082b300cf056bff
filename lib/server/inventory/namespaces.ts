import "server-only";
import { ALL_KINDS, type InventoryKind } from "@/lib/k8s/kinds";
import { indexVisibleSql } from "@/lib/server/access/index-scope";
import { requireClusterVisible } from "@/lib/server/access/guard";
import type { AccessProfile } from "@/lib/server/access/policy";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import { awaitCollectors } from "./collectors/freshness";

export interface NamespaceSummary {
  cluster: { id: string; name: string };
  namespaces: Array<{ name: string; counts: Partial<Record<InventoryKind, number>>; unhealthy: number }>;
  /** Kinds the index has not been filled with yet (or could not be). */
  incomplete: InventoryKind[];
}

/** Per-namespace counts of one cluster, counted in the fleet index within the caller's grants (in SQL). */
export async function namespaceSummary(profile: AccessProfile, clusterId: string): Promise<NamespaceSummary> {
  requireClusterVisible(profile, clusterId);
  const cluster = await db().cluster.findUnique({ where: { id: clusterId }, select: { id: true, name: true } });
  if (!cluster) throw notFound("Cluster");
  const freshness = await awaitCollectors(
    [cluster.id],
    [...ALL_KINDS],
    Date.now() + env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS,
  );
  const complete = ALL_KINDS.filter((kind) => freshness.get(`${cluster.id}/${kind}`)?.syncedAt);
  const incomplete = ALL_KINDS.filter((kind) => !complete.includes(kind));

  const rows = complete.length
    ? await db().$queryRaw<Array<{ namespace: string; kind: InventoryKind; count: number; unhealthy: number }>>`
        SELECT o.namespace, o.kind, count(*)::int AS count,
          (count(*) FILTER (WHERE o.health IS NOT NULL AND o.health NOT IN ('healthy', 'suspended')))::int AS unhealthy
        FROM inventory_objects o
        WHERE o.cluster_id = ${cluster.id}::uuid AND o.kind = ANY (${complete}::text[]) AND o.deleted_at IS NULL
          AND ${indexVisibleSql(profile, "o")}
        GROUP BY o.namespace, o.kind`
    : [];
  const byNamespace = new Map<string, { counts: Partial<Record<InventoryKind, number>>; unhealthy: number }>();
  for (const row of rows) {
    const entry = byNamespace.get(row.namespace) ?? { counts: {}, unhealthy: 0 };
    entry.counts[row.kind] = row.count;
    entry.unhealthy += row.unhealthy;
    byNamespace.set(row.namespace, entry);
  }
  return {
    cluster: { id: cluster.id, name: cluster.name },
    namespaces: [...byNamespace.entries()]
      .map(([name, entry]) => ({ name, ...entry }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    incomplete,
  };
}
