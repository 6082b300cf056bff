import { apiFetch } from "./client";
import type {
  ClusterListResponse,
  ClusterView,
  ConnectionTestView,
  HealthCheckView,
  ImportCandidateView,
} from "./cluster-types";
import type { CredentialInput } from "@/lib/schemas/clusters";

/** Browser-side calls for clusters. Credentials go up (register, replace, test) and never come back. */

export interface ClusterListParams {
  selector?: string;
  name?: string;
  status?: string;
  page?: number;
}

export function fetchClusters(params: ClusterListParams): Promise<ClusterListResponse> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") query.set(key, String(value));
  }
  return apiFetch(`/api/v1/clusters${query.size ? `?${query}` : ""}`);
}

export const fetchCluster = (id: string) =>
  apiFetch<{ cluster: ClusterView }>(`/api/v1/clusters/${encodeURIComponent(id)}`).then((r) => r.cluster);

export const fetchHealthChecks = (id: string, limit = 50) =>
  apiFetch<{ checks: HealthCheckView[] }>(`/api/v1/clusters/${encodeURIComponent(id)}/health?limit=${limit}`).then(
    (r) => r.checks,
  );

export interface ConnectionInput {
  server: string;
  caData?: string | null;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string | null;
  credential: CredentialInput;
}

export interface RegisterInput extends ConnectionInput {
  name: string;
  description?: string;
  labels?: Record<string, string>;
  variables?: Record<string, string>;
}

export const registerCluster = (input: RegisterInput) =>
  apiFetch<{ cluster: ClusterView }>("/api/v1/clusters", { method: "POST", body: input }).then((r) => r.cluster);

export const testUnsavedConnection = (input: ConnectionInput) =>
  apiFetch<{ result: ConnectionTestView }>("/api/v1/clusters/test", { method: "POST", body: input }).then(
    (r) => r.result,
  );

export const testCluster = (id: string) =>
  apiFetch<{ result: ConnectionTestView }>(`/api/v1/clusters/${encodeURIComponent(id)}/test`, { method: "POST" }).then(
    (r) => r.result,
  );

export const previewKubeconfig = (kubeconfig: string) =>
  apiFetch<{ contexts: ImportCandidateView[] }>("/api/v1/clusters/import/preview", {
    method: "POST",
    body: { kubeconfig },
  }).then((r) => r.contexts);

export const importKubeconfig = (
  kubeconfig: string,
  contexts: Array<{ context: string; name: string; labels?: Record<string, string> }>,
) =>
  apiFetch<{ clusters: ClusterView[] }>("/api/v1/clusters/import", {
    method: "POST",
    body: { kubeconfig, contexts },
  }).then((r) => r.clusters);

export const updateCluster = (
  id: string,
  changes: Partial<Pick<ClusterView, "description" | "labels" | "variables" | "impersonateUsers">>,
) =>
  apiFetch<{ cluster: ClusterView }>(`/api/v1/clusters/${encodeURIComponent(id)}`, {
    method: "PATCH",
    body: changes,
  }).then((r) => r.cluster);

export const replaceCredential = (id: string, credential: CredentialInput) =>
  apiFetch<{ cluster: ClusterView }>(`/api/v1/clusters/${encodeURIComponent(id)}/credential`, {
    method: "PUT",
    body: { credential },
  }).then((r) => r.cluster);

export const deleteCluster = (id: string) =>
  apiFetch<null>(`/api/v1/clusters/${encodeURIComponent(id)}`, { method: "DELETE" });
