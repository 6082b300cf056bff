import "server-only";
import type { Cluster, ClusterHealthCheck } from "@/lib/generated/prisma/client";
import type { ClusterView, HealthCheckView } from "@/lib/api/cluster-types";
import { stringRecord } from "@/lib/server/db/json";

type StoredCluster = Omit<Cluster, "credentialEnvelope">;

/** The public shape of a cluster. Built field by field so a new column never leaks by default. */
export function toClusterView(cluster: StoredCluster): ClusterView {
  return {
    id: cluster.id,
    name: cluster.name,
    description: cluster.description,
    server: cluster.server,
    insecureSkipTlsVerify: cluster.insecureSkipTlsVerify,
    tlsServerName: cluster.tlsServerName,
    caData: cluster.caData,
    authType: cluster.authType,
    labels: stringRecord(cluster.labels),
    variables: stringRecord(cluster.variables),
    status: cluster.status,
    statusSince: cluster.statusSince?.toISOString() ?? null,
    lastCheckedAt: cluster.lastCheckedAt?.toISOString() ?? null,
    lastError: cluster.lastErrorCode ? { code: cluster.lastErrorCode, message: cluster.lastErrorMessage ?? "" } : null,
    kubernetesVersion: cluster.kubernetesVersion,
    latencyMs: cluster.latencyMs,
    nodeCount: cluster.nodeCount,
    namespaceCount: cluster.namespaceCount,
    identity: cluster.identity,
    impersonateUsers: cluster.impersonateUsers,
    createdAt: cluster.createdAt.toISOString(),
    updatedAt: cluster.updatedAt.toISOString(),
  };
}

export function toHealthCheckView(check: ClusterHealthCheck): HealthCheckView {
  return {
    checkedAt: check.checkedAt.toISOString(),
    ok: check.ok,
    latencyMs: check.latencyMs,
    errorCode: check.errorCode,
    errorMessage: check.errorMessage,
  };
}
