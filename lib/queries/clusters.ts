import { queryOptions } from "@tanstack/react-query";
import { fetchCluster, fetchClusters, fetchHealthChecks, type ClusterListParams } from "@/lib/api/clusters";

/** Query keys share the root ["clusters"], so one invalidation refreshes every cluster view. */
export const clusterKeys = {
  all: ["clusters"] as const,
  list: (params: ClusterListParams) => ["clusters", "list", params] as const,
  detail: (id: string) => ["clusters", "detail", id] as const,
  health: (id: string) => ["clusters", "health", id] as const,
};

/** Health changes in the background; lists follow it by polling. */
export const CLUSTER_POLL_MS = 5_000;

export const clusterListQuery = (params: ClusterListParams) =>
  queryOptions({
    queryKey: clusterKeys.list(params),
    queryFn: () => fetchClusters(params),
    refetchInterval: CLUSTER_POLL_MS,
    staleTime: 2_000,
  });

export const clusterQuery = (id: string) =>
  queryOptions({
    queryKey: clusterKeys.detail(id),
    queryFn: () => fetchCluster(id),
    refetchInterval: CLUSTER_POLL_MS,
    staleTime: 2_000,
  });

export const clusterHealthQuery = (id: string) =>
  queryOptions({
    queryKey: clusterKeys.health(id),
    queryFn: () => fetchHealthChecks(id),
    refetchInterval: CLUSTER_POLL_MS,
    staleTime: 2_000,
  });
