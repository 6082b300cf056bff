import "server-only";
import { emitEvent } from "@/lib/server/events/emit";
import { db } from "@/lib/server/db/client";
import type { ProbeResult } from "@/lib/server/kube/probe";

/** How many checks per cluster are kept for the history chart. */
export const HEALTH_HISTORY = 100;

/**
 * Stores a probe result: one history row, and the cluster's current status. `status_since`
 * changes only when the status does, so "unreachable since T" survives repeated failures.
 */
export async function recordProbe(clusterId: string, result: ProbeResult): Promise<void> {
  const now = new Date();
  const status = result.ok ? "reachable" : "unreachable";
  await db().$transaction(async (tx) => {
    const current = await tx.cluster.findUnique({ where: { id: clusterId }, select: { status: true, name: true } });
    if (!current) return; // deleted meanwhile
    await tx.clusterHealthCheck.create({
      data: {
        clusterId,
        checkedAt: now,
        ok: result.ok,
        latencyMs: result.latencyMs,
        errorCode: result.ok ? null : result.error.code,
        errorMessage: result.ok ? null : result.error.message,
        kubernetesVersion: result.ok ? result.kubernetesVersion : null,
        nodeCount: result.ok ? result.nodeCount : null,
        namespaceCount: result.ok ? result.namespaceCount : null,
      },
    });
    await tx.cluster.update({
      where: { id: clusterId },
      data: {
        status,
        lastCheckedAt: now,
        ...(current.status !== status ? { statusSince: now } : {}),
        ...(result.ok
          ? {
              lastErrorCode: null,
              lastErrorMessage: null,
              kubernetesVersion: result.kubernetesVersion,
              latencyMs: result.latencyMs,
              nodeCount: result.nodeCount,
              namespaceCount: result.namespaceCount,
              identity: result.identity,
            }
          : { lastErrorCode: result.error.code, lastErrorMessage: result.error.message, latencyMs: null }),
      },
    });
    // Gone unreachable: one outbox event now; each subscription hears of it once the cluster
    // has stayed unreachable for its own N minutes (notifications/dispatch.ts, deliver.ts).
    if (status === "unreachable" && current.status !== "unreachable" && !result.ok)
      await emitEvent(tx, {
        type: "cluster.unreachable",
        subject: { clusterId, unreachableSince: now.toISOString() },
        clusters: [{ clusterId, clusterName: current.name, errorCode: result.error.code }],
      });
    await tx.$executeRaw`
      DELETE FROM cluster_health_checks WHERE cluster_id = ${clusterId}::uuid AND id NOT IN (
        SELECT id FROM cluster_health_checks WHERE cluster_id = ${clusterId}::uuid ORDER BY checked_at DESC LIMIT ${HEALTH_HISTORY})`;
  });
}
