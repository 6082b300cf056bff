import "server-only";
import { ALL_KINDS, type InventoryKind } from "@/lib/k8s/kinds";
import { matchesAnyNamespace } from "@/lib/k8s/namespace-patterns";
import { requireClusterVisible } from "@/lib/server/access/guard";
import { namespacePatterns, secretAccessFor, secretsAtLeast, type AccessProfile } from "@/lib/server/access/policy";
import { transportFor } from "@/lib/server/clusters/connection";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import { reflectorFor } from "./cache";

export interface NamespaceSummary {
  cluster: { id: string; name: string };
  namespaces: Array<{ name: string; counts: Partial<Record<InventoryKind, number>>; unhealthy: number }>;
  /** Kinds whose cache could not be filled in time. */
  incomplete: InventoryKind[];
}

/** Per-namespace counts of one cluster, from the watch caches, within the caller's grants. */
export async function namespaceSummary(profile: AccessProfile, clusterId: string): Promise<NamespaceSummary> {
  requireClusterVisible(profile, clusterId);
  const cluster = await db().cluster.findUnique({
    where: { id: clusterId },
    select: { id: true, name: true, revision: true },
  });
  if (!cluster) throw notFound("Cluster");
  const transport = await transportFor(cluster.id, cluster.revision);
  const patterns = namespacePatterns(profile, cluster.id, "view");
  const deadline = Date.now() + env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  const reflectors = ALL_KINDS.map((kind) => reflectorFor(cluster.id, cluster.revision, kind, transport));
  await Promise.all(reflectors.map((reflector) => reflector.waitForFirstAttempt(Math.max(0, deadline - Date.now()))));

  const byNamespace = new Map<string, { counts: Partial<Record<InventoryKind, number>>; unhealthy: number }>();
  const incomplete: InventoryKind[] = [];
  for (const reflector of reflectors) {
    if (reflector.state !== "synced") {
      incomplete.push(reflector.kind);
      continue;
    }
    for (const item of reflector.items.values()) {
      if (!matchesAnyNamespace(patterns, item.namespace)) continue;
      if (item.kind === "secrets" && !secretsAtLeast(secretAccessFor(profile, cluster.id, item.namespace), "metadata"))
        continue;
      const entry = byNamespace.get(item.namespace) ?? { counts: {}, unhealthy: 0 };
      entry.counts[item.kind] = (entry.counts[item.kind] ?? 0) + 1;
      if (item.health && item.health !== "healthy" && item.health !== "suspended") entry.unhealthy += 1;
      byNamespace.set(item.namespace, entry);
    }
  }
  return {
    cluster: { id: cluster.id, name: cluster.name },
    namespaces: [...byNamespace.entries()]
      .map(([name, entry]) => ({ name, ...entry }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    incomplete,
  };
}
