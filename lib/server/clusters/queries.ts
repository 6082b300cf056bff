import "server-only";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";
import type { ClusterListResponse, ClusterView, HealthCheckView } from "@/lib/api/cluster-types";
import type { ListClustersQuery } from "@/lib/schemas/clusters";
import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import { toClusterView, toHealthCheckView } from "./views";
import { isUuid } from "@/lib/schemas/ids";
import { compareNatural } from "@/lib/format/natural-sort";

/**
 * Label selectors are evaluated here rather than in SQL: a fleet is hundreds of clusters,
 * and one evaluator (lib/k8s/label-selector) keeps the browser preview and the server in
 * agreement.
 */
export async function listClusters(
  query: ListClustersQuery,
  visible: "all" | ReadonlySet<string> = "all",
): Promise<ClusterListResponse> {
  // Filtered here, before counting: a caller learns nothing about clusters it may not see.
  const rows = await db().cluster.findMany({
    where: {
      ...(query.name ? { name: { contains: query.name.toLowerCase() } } : {}),
      ...(visible === "all" ? {} : { id: { in: [...visible] } }),
    },
    orderBy: { name: "asc" },
  });
  const selector = query.selector ? parseSelector(query.selector) : null;
  // Natural order (a2 before a10), which SQL's collation does not give; every row is loaded for the selector anyway.
  const selected = rows
    .map(toClusterView)
    .filter((cluster) => !selector || matchesSelector(selector, cluster.labels))
    .sort((a, b) => compareNatural(a.name, b.name));
  const counts = { never_checked: 0, reachable: 0, unreachable: 0, total: selected.length };
  for (const cluster of selected) counts[cluster.status] += 1;
  const filtered = query.status ? selected.filter((cluster) => cluster.status === query.status) : selected;
  const start = (query.page - 1) * query.pageSize;
  return {
    clusters: filtered.slice(start, start + query.pageSize),
    counts,
    page: query.page,
    pageSize: query.pageSize,
  };
}

export async function getCluster(id: string): Promise<ClusterView> {
  if (!isUuid(id)) throw notFound("Cluster");
  const cluster = await db().cluster.findUnique({ where: { id } });
  if (!cluster) throw notFound("Cluster");
  return toClusterView(cluster);
}

export async function recentHealthChecks(id: string, limit: number): Promise<HealthCheckView[]> {
  await getCluster(id);
  const checks = await db().clusterHealthCheck.findMany({
    where: { clusterId: id },
    orderBy: { checkedAt: "desc" },
    take: limit,
  });
  return checks.reverse().map(toHealthCheckView);
}
