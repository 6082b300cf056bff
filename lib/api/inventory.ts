import { apiFetch } from "./client";
import type { CompareResponse, InventoryResponse, ObjectDetail } from "./inventory-types";
import type { InventoryKind } from "@/lib/k8s/kinds";

export interface InventoryParams {
  view: string;
  kind?: string;
  clusterSelector?: string;
  clusters?: string;
  namespace?: string;
  q?: string;
  labelSelector?: string;
  health?: string;
  sort?: string;
  order?: string;
  page?: number;
  pageSize?: number;
}

export function toQueryString(params: object): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== "" && value !== null) query.set(key, String(value));
  return query.toString();
}

export const fetchInventory = (params: InventoryParams) =>
  apiFetch<InventoryResponse>(`/api/v1/inventory?${toQueryString(params)}`);

export const fetchObjectDetail = (ref: { cluster: string; kind: InventoryKind; namespace: string; name: string }) =>
  apiFetch<{ object: ObjectDetail }>(`/api/v1/inventory/object?${toQueryString(ref)}`).then((r) => r.object);

export const fetchCompare = (ref: { kind: InventoryKind; namespace: string; name: string; baseline?: string }) =>
  apiFetch<CompareResponse>(`/api/v1/inventory/compare?${toQueryString(ref)}`);

export interface NamespaceSummaryView {
  cluster: { id: string; name: string };
  namespaces: Array<{ name: string; counts: Partial<Record<InventoryKind, number>>; unhealthy: number }>;
  incomplete: InventoryKind[];
}
export const fetchNamespaceSummary = (cluster: string) =>
  apiFetch<NamespaceSummaryView>(`/api/v1/inventory/namespaces?cluster=${encodeURIComponent(cluster)}`);

export const revealSecret = (ref: { cluster: string; namespace: string; name: string }) =>
  apiFetch<{ clusterName: string; data: Array<{ key: string; value: string; encoding: "utf8" | "base64" }> }>(
    "/api/v1/inventory/secrets/reveal",
    { method: "POST", body: ref },
  );
