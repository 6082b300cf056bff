import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import {
  fetchCompare,
  fetchInventory,
  fetchNamespaceSummary,
  fetchObjectDetail,
  type InventoryParams,
} from "@/lib/api/inventory";
import type { InventoryKind } from "@/lib/k8s/kinds";

/** Kubernetes data shares the root "k8s"; per-object keys put the cluster first, so a prefix invalidates a cluster. */
export const k8sKeys = {
  all: ["k8s"] as const,
  inventory: (params: InventoryParams) => ["k8s", "inventory", params] as const,
  object: (cluster: string, kind: InventoryKind, namespace: string, name: string) =>
    ["k8s", cluster, kind, "object", namespace, name] as const,
  compare: (kind: InventoryKind, namespace: string, name: string, baseline?: string) =>
    ["k8s", "compare", kind, namespace, name, baseline ?? null] as const,
  namespaces: (cluster: string) => ["k8s", cluster, "namespaces", "summary"] as const,
};

/** The server answers from watch caches, so polling every few seconds is cheap and keeps views live. */
export const INVENTORY_POLL_MS = 3000;

export const inventoryQuery = (params: InventoryParams) =>
  queryOptions({
    queryKey: k8sKeys.inventory(params),
    queryFn: () => fetchInventory(params),
    refetchInterval: INVENTORY_POLL_MS,
    staleTime: 1000,
    placeholderData: keepPreviousData,
  });

export const objectQuery = (cluster: string, kind: InventoryKind, namespace: string, name: string) =>
  queryOptions({
    queryKey: k8sKeys.object(cluster, kind, namespace, name),
    queryFn: () => fetchObjectDetail({ cluster, kind, namespace, name }),
    staleTime: 5000,
  });

export const compareQuery = (kind: InventoryKind, namespace: string, name: string, baseline?: string) =>
  queryOptions({
    queryKey: k8sKeys.compare(kind, namespace, name, baseline),
    queryFn: () => fetchCompare({ kind, namespace, name, baseline }),
    staleTime: 5000,
  });

export const namespaceSummaryQuery = (cluster: string) =>
  queryOptions({
    queryKey: k8sKeys.namespaces(cluster),
    queryFn: () => fetchNamespaceSummary(cluster),
    refetchInterval: 10_000,
  });
