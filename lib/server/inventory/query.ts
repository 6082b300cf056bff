import "server-only";
import pLimit from "p-limit";
import type { ClusterResult, InventoryResponse, InventoryRow } from "@/lib/api/inventory-types";
import { kindsOfView, type InventoryKind } from "@/lib/k8s/kinds";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";
import { matchesAnyNamespace, namespaceMatches } from "@/lib/k8s/namespace-patterns";
import type { ListInventoryQuery } from "@/lib/schemas/inventory";
import { impersonationHeaders } from "@/lib/server/access/impersonation";
import { namespacePatterns, secretAccessFor, secretsAtLeast, visibleClusterIds, type AccessProfile } from "@/lib/server/access/policy";
import { transportFor } from "@/lib/server/clusters/connection";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { reflectorFor } from "./cache";
import { listAsUser } from "./live-list";
import type { InventoryItem } from "./project";

interface ClusterRow {
  id: string;
  name: string;
  labels: unknown;
  revision: number;
  impersonateUsers: boolean;
}

const labelsOf = (value: unknown) => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, string>) : {});

/**
 * The aggregated inventory: fan out to every cluster the caller may see (bounded
 * concurrency, one deadline per cluster), answer from the watch caches, filter by the
 * caller's namespace grants before anything else, then merge, sort and page. A cluster
 * that is slow, dead or backing off is reported in `clusters` and never holds the rest.
 */
export async function queryInventory(profile: AccessProfile, query: ListInventoryQuery): Promise<InventoryResponse> {
  const started = performance.now();
  const timeoutMs = env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const kinds = query.kind && kindsOfView(query.view).includes(query.kind) ? [query.kind] : kindsOfView(query.view);

  const visible = visibleClusterIds(profile);
  let clusters: ClusterRow[] = await db().cluster.findMany({
    where: visible === "all" ? undefined : { id: { in: [...visible] } },
    select: { id: true, name: true, labels: true, revision: true, impersonateUsers: true },
    orderBy: { name: "asc" },
  });
  if (query.clusterSelector) {
    const selector = parseSelector(query.clusterSelector);
    clusters = clusters.filter((cluster) => matchesSelector(selector, labelsOf(cluster.labels)));
  }
  if (query.clusters) {
    const names = new Set(query.clusters.split(",").map((name) => name.trim()).filter(Boolean));
    clusters = clusters.filter((cluster) => names.has(cluster.name));
  }

  const labelSelector = query.labelSelector ? parseSelector(query.labelSelector) : null;
  const search = query.q?.toLowerCase() ?? "";
  const itemFilter = (clusterId: string) => {
    const patterns = namespacePatterns(profile, clusterId, "view");
    return (item: InventoryItem) =>
      matchesAnyNamespace(patterns, item.namespace) &&
      (query.view !== "secrets" || secretsAtLeast(secretAccessFor(profile, clusterId, item.namespace), "metadata")) &&
      (!query.namespace || namespaceMatches(query.namespace, item.namespace)) &&
      (!search || item.name.includes(search)) &&
      (!labelSelector || matchesSelector(labelSelector, item.labels)) &&
      (!query.health || item.health === query.health);
  };

  const limit = pLimit(16);
  const perCluster = await Promise.all(clusters.map((cluster) => limit(() => collect(profile, cluster, kinds, itemFilter(cluster.id), deadline, timeoutMs))));
  const rows: InventoryRow[] = perCluster.flatMap(({ items }, index) => {
    const cluster = clusters[index]!;
    return items.map(({ resourceVersion: _rv, ...item }) => ({ ...item, clusterId: cluster.id, clusterName: cluster.name }));
  });
  rows.sort(comparator(query.sort, query.order));
  const start = (query.page - 1) * query.pageSize;

  let message: string | null = null;
  if (clusters.length === 0) message = "No cluster you may see matches the cluster filters.";
  else if (rows.length === 0 && query.namespace) message = `No object in a namespace matching "${query.namespace}" that you may see.`;
  else if (rows.length === 0 && query.view === "secrets" && !profile.isAdmin && !profile.grants.some((g) => g.secrets !== "none")) {
    message = "Your teams' grants do not include access to secrets.";
  }

  return {
    items: rows.slice(start, start + query.pageSize),
    total: rows.length,
    page: query.page,
    pageSize: query.pageSize,
    clusters: perCluster.map((entry) => entry.result),
    message,
    tookMs: Math.round(performance.now() - started),
  };
}

async function collect(
  profile: AccessProfile,
  cluster: ClusterRow,
  kinds: InventoryKind[],
  filter: (item: InventoryItem) => boolean,
  deadline: number,
  timeoutMs: number,
): Promise<{ items: InventoryItem[]; result: ClusterResult }> {
  const started = Date.now();
  const result: ClusterResult = { id: cluster.id, name: cluster.name, state: "ok", count: 0, waitedMs: 0, listMs: null, syncedAt: null, error: null, retryAt: null, note: null };
  try {
    const transport = await transportFor(cluster.id);
    if (cluster.impersonateUsers) {
      const live = await listAsUser({
        systemTransport: transport,
        userHeaders: impersonationHeaders(profile, true),
        kinds,
        patterns: namespacePatterns(profile, cluster.id, "view"),
        timeoutMs: Math.max(200, deadline - Date.now()),
      });
      const items = live.items.filter(filter);
      result.count = items.length;
      result.waitedMs = Date.now() - started;
      result.note = `listed live as you (impersonation)${live.forbiddenNamespaces ? `; the cluster refused ${live.forbiddenNamespaces} namespace(s)` : ""}`;
      return { items, result };
    }

    const reflectors = kinds.map((kind) => reflectorFor(cluster.id, cluster.revision, kind, transport));
    await Promise.all(reflectors.map((reflector) => reflector.waitForFirstAttempt(Math.max(0, deadline - Date.now()))));
    result.waitedMs = Date.now() - started;
    const items: InventoryItem[] = [];
    for (const reflector of reflectors) {
      if (reflector.state === "syncing") {
        result.state = "timed_out";
        result.error = { code: "timeout", message: `No answer within ${timeoutMs / 1000} s` };
        continue;
      }
      if (reflector.state === "failed") {
        result.state = reflector.lastError?.code === "forbidden" ? "forbidden" : reflector.lastError?.code === "timeout" ? "timed_out" : "unreachable";
        result.error = reflector.lastError ? { code: reflector.lastError.code, message: reflector.lastError.message } : null;
        result.retryAt = reflector.retryAt ? new Date(reflector.retryAt).toISOString() : null;
        continue;
      }
      if (reflector.lastError && !reflector.live) {
        // Synced earlier, watch lost since: serve what we have, flagged.
        if (result.state === "ok") result.state = "stale";
        result.error = { code: reflector.lastError.code, message: reflector.lastError.message };
        result.retryAt = reflector.retryAt ? new Date(reflector.retryAt).toISOString() : null;
      }
      result.listMs = Math.max(result.listMs ?? 0, reflector.lastListMs ?? 0);
      result.syncedAt = reflector.syncedAt ? new Date(reflector.syncedAt).toISOString() : result.syncedAt;
      for (const item of reflector.items.values()) if (filter(item)) items.push(item);
    }
    result.count = items.length;
    return { items, result };
  } catch (error) {
    const classified = classifyClusterError(error);
    result.state = classified.code === "timeout" ? "timed_out" : classified.code === "forbidden" ? "forbidden" : "unreachable";
    result.error = { code: classified.code, message: error instanceof Error && error.name === "DecryptionError" ? "The stored credential cannot be decrypted" : classified.message };
    result.waitedMs = Date.now() - started;
    return { items: [], result };
  }
}

const HEALTH_ORDER = { failed: 0, degraded: 1, progressing: 2, suspended: 3, healthy: 4 } as const;

function comparator(sort: ListInventoryQuery["sort"], order: ListInventoryQuery["order"]) {
  const direction = order === "desc" ? -1 : 1;
  const byIdentity = (a: InventoryRow, b: InventoryRow) =>
    a.clusterName.localeCompare(b.clusterName) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind);
  const key: Record<ListInventoryQuery["sort"], (a: InventoryRow, b: InventoryRow) => number> = {
    cluster: byIdentity,
    namespace: (a, b) => a.namespace.localeCompare(b.namespace),
    name: (a, b) => a.name.localeCompare(b.name),
    kind: (a, b) => a.kind.localeCompare(b.kind),
    age: (a, b) => b.createdAt.localeCompare(a.createdAt),
    health: (a, b) => (a.health ? HEALTH_ORDER[a.health] : 9) - (b.health ? HEALTH_ORDER[b.health] : 9),
    ready: (a, b) => (a.ready ?? 0) / Math.max(1, a.desired ?? 1) - (b.ready ?? 0) / Math.max(1, b.desired ?? 1),
    size: (a, b) => (a.size ?? a.keyCount ?? 0) - (b.size ?? b.keyCount ?? 0),
  };
  return (a: InventoryRow, b: InventoryRow) => direction * (key[sort](a, b) || byIdentity(a, b));
}
