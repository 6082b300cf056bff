import "server-only";
import pLimit from "p-limit";
import type { ClusterResult, InventoryResponse, InventoryRow } from "@/lib/api/inventory-types";
import { kindsOfView, type InventoryKind } from "@/lib/k8s/kinds";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";
import { matchesAnyNamespace, namespaceMatches } from "@/lib/k8s/namespace-patterns";
import type { ListInventoryQuery } from "@/lib/schemas/inventory";
import { impersonationHeaders } from "@/lib/server/access/impersonation";
import {
  namespacePatterns,
  secretAccessFor,
  secretsAtLeast,
  visibleClusterIds,
  type AccessProfile,
} from "@/lib/server/access/policy";
import { transportFor } from "@/lib/server/clusters/connection";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { clusterDeadline } from "@/lib/server/kube/deadline";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { reflectorFor } from "./cache";
import { listAsUser } from "./live-list";
import type { InventoryItem } from "./project";
import { stringRecord } from "@/lib/server/db/json";

interface ClusterRow {
  id: string;
  name: string;
  labels: unknown;
  revision: number;
  impersonateUsers: boolean;
}

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
    clusters = clusters.filter((cluster) => matchesSelector(selector, stringRecord(cluster.labels)));
  }
  if (query.clusters) {
    const names = new Set(
      query.clusters
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    );
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
  const perCluster = await Promise.all(
    clusters.map((cluster) =>
      limit(() => collect(profile, cluster, kinds, itemFilter(cluster.id), deadline, timeoutMs)),
    ),
  );
  // Sort references, copy only the page: a warm request over 20,000 objects should not
  // allocate 20,000 new rows just to send 100.
  const matched: Matched[] = [];
  perCluster.forEach(({ items }, index) => {
    const cluster = clusters[index]!;
    for (const item of items) matched.push({ item, clusterId: cluster.id, clusterName: cluster.name });
  });
  matched.sort(comparator(query.sort, query.order));
  const start = (query.page - 1) * query.pageSize;
  const page: InventoryRow[] = matched
    .slice(start, start + query.pageSize)
    .map(({ item: { resourceVersion: _rv, ...item }, clusterId, clusterName }) => ({
      ...item,
      clusterId,
      clusterName,
    }));
  const total = matched.length;

  let message: string | null = null;
  if (clusters.length === 0) message = "No cluster you may see matches the cluster filters.";
  else if (total === 0 && query.namespace)
    message = `No object in a namespace matching "${query.namespace}" that you may see.`;
  else if (
    total === 0 &&
    query.view === "secrets" &&
    !profile.isAdmin &&
    !profile.grants.some((g) => g.secrets !== "none")
  ) {
    message = "Your teams' grants do not include access to secrets.";
  }

  return {
    items: page,
    total,
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
  const result: ClusterResult = {
    id: cluster.id,
    name: cluster.name,
    state: "ok",
    count: 0,
    waitedMs: 0,
    listMs: null,
    syncedAt: null,
    error: null,
    retryAt: null,
    note: null,
  };
  try {
    const transport = await transportFor(cluster.id, cluster.revision);
    if (cluster.impersonateUsers) {
      const live = await listAsUser({
        systemTransport: transport,
        userHeaders: impersonationHeaders(profile, true),
        kinds,
        patterns: namespacePatterns(profile, cluster.id, "view"),
        timeoutMs: Math.max(200, deadline - Date.now()),
        // The namespace list and the lists after it share what is left, not the limit each.
        signal: clusterDeadline(Math.max(200, deadline - Date.now())),
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
        result.state =
          reflector.lastError?.code === "forbidden"
            ? "forbidden"
            : reflector.lastError?.code === "timeout"
              ? "timed_out"
              : "unreachable";
        result.error = reflector.lastError
          ? { code: reflector.lastError.code, message: reflector.lastError.message }
          : null;
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
    result.state =
      classified.code === "timeout" ? "timed_out" : classified.code === "forbidden" ? "forbidden" : "unreachable";
    result.error = {
      code: classified.code,
      // A credential that does not open says so, naming the cluster and the key id (credential-vault.ts).
      message: classified.message,
    };
    result.waitedMs = Date.now() - started;
    return { items: [], result };
  }
}

interface Matched {
  item: InventoryItem;
  clusterId: string;
  clusterName: string;
}

const HEALTH_ORDER = { failed: 0, degraded: 1, progressing: 2, suspended: 3, healthy: 4 } as const;

/** Names are ASCII (Kubernetes names), so plain comparison is both right and fast. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function comparator(sort: ListInventoryQuery["sort"], order: ListInventoryQuery["order"]) {
  const direction = order === "desc" ? -1 : 1;
  const byIdentity = (a: Matched, b: Matched) =>
    compareText(a.clusterName, b.clusterName) ||
    compareText(a.item.namespace, b.item.namespace) ||
    compareText(a.item.name, b.item.name) ||
    compareText(a.item.kind, b.item.kind);
  const key: Record<ListInventoryQuery["sort"], (a: Matched, b: Matched) => number> = {
    cluster: byIdentity,
    namespace: (a, b) => compareText(a.item.namespace, b.item.namespace),
    name: (a, b) => compareText(a.item.name, b.item.name),
    kind: (a, b) => compareText(a.item.kind, b.item.kind),
    age: (a, b) => compareText(b.item.createdAt, a.item.createdAt),
    health: (a, b) =>
      (a.item.health ? HEALTH_ORDER[a.item.health] : 9) - (b.item.health ? HEALTH_ORDER[b.item.health] : 9),
    ready: (a, b) =>
      (a.item.ready ?? 0) / Math.max(1, a.item.desired ?? 1) - (b.item.ready ?? 0) / Math.max(1, b.item.desired ?? 1),
    size: (a, b) => (a.item.size ?? a.item.keyCount ?? 0) - (b.item.size ?? b.item.keyCount ?? 0),
  };
  return (a: Matched, b: Matched) => direction * (key[sort](a, b) || byIdentity(a, b));
}
