/** Shapes of /api/v1/clusters answers, shared by the browser and the server. No credential material, ever. */

export type ClusterStatus = "never_checked" | "reachable" | "unreachable";
export type ClusterAuthType = "token" | "client_certificate";

export interface ClusterView {
  id: string;
  name: string;
  description: string;
  server: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName: string | null;
  /** The CA bundle is public information (certificates only). */
  caData: string | null;
  authType: ClusterAuthType;
  labels: Record<string, string>;
  variables: Record<string, string>;
  status: ClusterStatus;
  statusSince: string | null;
  lastCheckedAt: string | null;
  lastError: { code: string; message: string } | null;
  kubernetesVersion: string | null;
  latencyMs: number | null;
  nodeCount: number | null;
  namespaceCount: number | null;
  identity: string | null;
  impersonateUsers: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ClusterListResponse {
  clusters: ClusterView[];
  /** Counts per status over the whole filtered set (not just this page). */
  counts: Record<ClusterStatus, number> & { total: number };
  page: number;
  pageSize: number;
}

export interface HealthCheckView {
  checkedAt: string;
  ok: boolean;
  latencyMs: number | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface ConnectionTestView {
  ok: boolean;
  kubernetesVersion?: string;
  latencyMs: number | null;
  nodeCount?: number | null;
  namespaceCount?: number | null;
  identity?: string | null;
  warnings?: string[];
  error?: { code: string; message: string };
}

export interface ImportCandidateView {
  context: string;
  server: string | null;
  authType: ClusterAuthType | null;
  insecureSkipTlsVerify: boolean;
  current: boolean;
  suggestedName: string;
  problem: string | null;
  /** Another context for the same API server is kept; this one is not chosen by default. */
  duplicate: { of: string; reason: string } | null;
}
