import "server-only";
import pLimit from "p-limit";
import {
  INVENTORY_COUNT_LIMIT,
  type ClusterResult,
  type InventoryResponse,
  type InventoryRow,
} from "@/lib/api/inventory-types";
import { Prisma } from "@/lib/generated/prisma/client";
import { kindsOfView, type Health, type InventoryKind } from "@/lib/k8s/kinds";
import { matchesSelector, parseSelector, type ParsedSelector } from "@/lib/k8s/label-selector";
import { matchesAnyNamespace, namespaceMatches } from "@/lib/k8s/namespace-patterns";
import type { ListInventoryQuery } from "@/lib/schemas/inventory";
import { impersonationHeaders } from "@/lib/server/access/impersonation";
import { indexVisibleSql } from "@/lib/server/access/index-scope";
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
import { stringRecord } from "@/lib/server/db/json";
import { clusterDeadline } from "@/lib/server/kube/deadline";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { awaitCollectors, isPending, type CollectorFreshness } from "./collectors/freshness";
import { labelSelectorSql, namespaceGlobSql } from "./index-filters";
import { listAsUser } from "./live-list";
import type { InventoryItem } from "./project";

interface ClusterRow {
  id: string;
  name: string;
  labels: unknown;
  revision: number;
  impersonateUsers: boolean;
}

/** Names are ASCII (Kubernetes names), so plain comparison is both right and fast. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The aggregated inventory, read from the fleet index (inventory_objects) with SQL: the
 * caller's grants (access/index-scope.ts) and every filter are conditions of the query, and
 * sorting and paging happen in the database. Freshness per cluster comes from its collectors
 * (collectors/freshness.ts): a cluster never filled is waited for until the per-cluster
 * deadline, then reported (timed out, unreachable, forbidden) without holding the rest.
 * Clusters that impersonate users are listed live as the user (live-list.ts) and merged in.
 */
export async function queryInventory(
  profile: AccessProfile,
  query: ListInventoryQuery,
  /** Count every match (the overview's per-cluster numbers), not only up to INVENTORY_COUNT_LIMIT. */
  options: { exactCounts?: boolean } = {},
): Promise<InventoryResponse> {
  const countLimit = options.exactCounts ? null : INVENTORY_COUNT_LIMIT;
  const started = performance.now();
  const timeoutMs = env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const kinds = query.kind && kindsOfView(query.view).includes(query.kind) ? [query.kind] : kindsOfView(query.view);

  const visible = visibleClusterIds(profile);
  let clusters: ClusterRow[] = await db().cluster.findMany({
    where: visible === "all" ? undefined : { id: { in: [...visible] } },
    select: { id: true, name: true, labels: true, revision: true, impersonateUsers: true },
  });
  clusters.sort((a, b) => compareText(a.name, b.name));
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
  // Translated (or refused) before any waiting.
  filterSql(profile, query, kinds, labelSelector);

  const indexed = clusters.filter((cluster) => !cluster.impersonateUsers);
  const impersonating = clusters.filter((cluster) => cluster.impersonateUsers);
  const limit = pLimit(16);
  const [freshness, liveAnswers] = await Promise.all([
    awaitCollectors(
      indexed.map((cluster) => cluster.id),
      kinds,
      deadline,
    ),
    Promise.all(
      impersonating.map((cluster) =>
        limit(() =>
          collectLive(profile, cluster, kinds, itemFilter(profile, query, labelSelector, cluster.id), deadline),
        ),
      ),
    ),
  ]);
  const waitedMs = Math.round(performance.now() - started);

  const results = new Map<string, ClusterResult>();
  const readable: Array<{ clusterId: string; kind: InventoryKind }> = [];
  for (const cluster of indexed) {
    const rows = kinds.map((kind) => freshness.get(`${cluster.id}/${kind}`));
    results.set(cluster.id, clusterResult(cluster, rows, waitedMs, timeoutMs));
    kinds.forEach((kind, index) => {
      if (rows[index]?.syncedAt) readable.push({ clusterId: cluster.id, kind });
    });
  }
  liveAnswers.forEach(({ result }) => results.set(result.id, result));

  const liveItems: Matched[] = [];
  liveAnswers.forEach(({ items, result }) => {
    for (const item of items) liveItems.push({ item, clusterId: result.id, clusterName: result.name });
  });

  const start = (query.page - 1) * query.pageSize;
  let page: InventoryRow[] = [];
  let total = liveItems.length;
  let totalCapped = false;
  if (readable.length > 0) {
    const names = new Map(clusters.map((cluster) => [cluster.id, cluster.name]));
    const ids = indexed.filter((cluster) => readable.some((r) => r.clusterId === cluster.id)).map((c) => c.id);
    const everyPair = readable.length === ids.length * kinds.length;
    const statements = inventoryStatements({
      profile,
      query,
      kinds,
      labelSelector,
      clusterIds: ids,
      readable: everyPair ? null : readable.map((r) => `${r.clusterId}/${r.kind}`),
      // With live items to merge, the database returns everything up to the end of the page.
      offset: liveItems.length ? 0 : start,
      take: liveItems.length ? start + query.pageSize : query.pageSize,
      countLimit,
    });
    const counts = await db().$queryRaw<Array<{ cluster_id: string; count: number }>>(statements.counts);
    const counted = counts.reduce((sum, { count }) => sum + count, 0);
    if (countLimit !== null && counted > countLimit) {
      totalCapped = true;
      for (const id of ids) results.get(id)!.count = null;
    } else {
      for (const { cluster_id, count } of counts) results.get(cluster_id)!.count = count;
    }
    total += countLimit === null ? counted : Math.min(counted, countLimit);
    const rows = await db().$queryRaw<IndexedRow[]>(statements.page);
    page = rows.map((row) => toRow(row, names.get(row.cluster_id) ?? ""));
  }
  if (liveItems.length) {
    const merged: Matched[] = [
      ...page.map(({ clusterId, clusterName, ...item }) => ({
        item: { ...item, resourceVersion: "" },
        clusterId,
        clusterName,
      })),
      ...liveItems,
    ];
    merged.sort(comparator(query.sort, query.order));
    page = merged
      .slice(start, start + query.pageSize)
      .map(({ item: { resourceVersion: _rv, ...item }, clusterId, clusterName }) => ({
        ...item,
        clusterId,
        clusterName,
      }));
  }

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
    totalCapped,
    page: query.page,
    pageSize: query.pageSize,
    clusters: clusters.map((cluster) => results.get(cluster.id)!),
    message,
    tookMs: Math.round(performance.now() - started),
  };
}

/**
 * The two statements of an inventory answer over the index: counts per cluster, and one page.
 * Exported for the EXPLAIN test and the README's plans: what runs is what is explained.
 * `clusterIds` are in the answer's cluster order (by name); `readable` limits to the
 * (cluster/kind) pairs whose collectors have completed a list, when not all have.
 */
export function inventoryStatements(input: {
  profile: AccessProfile;
  query: ListInventoryQuery;
  kinds: InventoryKind[];
  labelSelector: ParsedSelector | null;
  clusterIds: string[];
  readable: string[] | null;
  offset: number;
  take: number;
  /** Count at most one past this many matches; null counts them all. */
  countLimit?: number | null;
}): { counts: Prisma.Sql; page: Prisma.Sql } {
  // One kind as an equality, so the planner can read (cluster_id, kind, namespace, name) in index order.
  const kind =
    input.kinds.length === 1
      ? Prisma.sql`o.kind = ${input.kinds[0]}`
      : Prisma.sql`o.kind = ANY (${input.kinds}::text[])`;
  const conditions = (clusters: Prisma.Sql) => Prisma.sql`${clusters} AND ${kind}
    AND o.deleted_at IS NULL AND ${filterSql(input.profile, input.query, input.kinds, input.labelSelector)}
    ${input.readable ? Prisma.sql`AND (o.cluster_id::text || '/' || o.kind) = ANY (${input.readable}::text[])` : Prisma.empty}`;
  const where = conditions(Prisma.sql`o.cluster_id = ANY (${input.clusterIds}::uuid[])`);
  const columns = Prisma.sql`o.cluster_id::text, o.kind, o.namespace, o.name, o.uid, o.labels, o.created_at, o.health,
    o.ready, o.desired, o.size, o.detail`;
  // Counted up to one past the limit: an exact fleet-wide count reads every match (1.1 s for
  // 600,000 configmaps of 1,000 clusters, a parallel sequential scan), a capped one stops early.
  const countLimit = input.countLimit === undefined ? INVENTORY_COUNT_LIMIT : input.countLimit;
  const counts = Prisma.sql`SELECT m.cluster_id::text, count(*)::int AS count
    FROM (SELECT o.cluster_id FROM inventory_objects o WHERE ${where}
      ${countLimit === null ? Prisma.empty : Prisma.sql`LIMIT ${countLimit + 1}`}) m
    GROUP BY m.cluster_id`;
  if (input.query.sort !== "cluster")
    return {
      counts,
      // The cluster's place in the answer's order by a join, not array_position: that scans the
      // id array for every row (7 s for 300,000 workloads of 1,000 clusters; a hash join: linear).
      page: Prisma.sql`SELECT ${columns} FROM inventory_objects o
        JOIN unnest(${input.clusterIds}::uuid[]) WITH ORDINALITY AS c(id, ord) ON c.id = o.cluster_id
        WHERE ${where}
        ORDER BY ${orderSql(input.query.sort, input.query.order)}
        LIMIT ${input.take} OFFSET ${input.offset}`,
    };
  // The default order (cluster, namespace, name, kind): per cluster, the first offset+take rows in
  // index order (inventory_objects (cluster_id, namespace, name)), then merged in cluster order,
  // so a first page reads about a page per cluster instead of sorting every matching row.
  const direction = input.query.order === "desc" ? Prisma.raw("DESC") : Prisma.raw("ASC");
  const within = Prisma.sql`namespace COLLATE "C" ${direction}, name COLLATE "C" ${direction}, kind COLLATE "C" ${direction}`;
  return {
    counts,
    page: Prisma.sql`SELECT p.* FROM unnest(${input.clusterIds}::uuid[]) WITH ORDINALITY AS c(id, ord)
      CROSS JOIN LATERAL (
        SELECT ${columns} FROM inventory_objects o WHERE ${conditions(Prisma.sql`o.cluster_id = c.id`)}
        ORDER BY ${within} LIMIT ${input.offset + input.take}
      ) p
      ORDER BY c.ord ${direction}, ${within}
      LIMIT ${input.take} OFFSET ${input.offset}`,
  };
}

/** The caller's grants and the query's filters, as one SQL condition on `o`. */
function filterSql(
  profile: AccessProfile,
  query: ListInventoryQuery,
  kinds: InventoryKind[],
  labelSelector: ParsedSelector | null,
): Prisma.Sql {
  const parts: Prisma.Sql[] = [indexVisibleSql(profile, "o")];
  if (query.namespace) parts.push(namespaceGlobSql(query.namespace));
  const search = query.q?.toLowerCase();
  if (search) parts.push(Prisma.sql`strpos(o.name, ${search}) > 0`);
  if (labelSelector) parts.push(labelSelectorSql(labelSelector));
  if (query.health) parts.push(Prisma.sql`o.health = ${query.health}`);
  if (query.view === "secrets" && !kinds.includes("secrets")) parts.push(Prisma.sql`FALSE`);
  return Prisma.join(parts, " AND ");
}

const HEALTH_ORDER = { failed: 0, degraded: 1, progressing: 2, suspended: 3, healthy: 4 } as const;

/** The same order as `comparator` below (byte order for names: COLLATE "C"). */
function orderSql(sort: ListInventoryQuery["sort"], order: ListInventoryQuery["order"]): Prisma.Sql {
  const direction = order === "desc" ? Prisma.raw("DESC") : Prisma.raw("ASC");
  const reverse = order === "desc" ? Prisma.raw("ASC") : Prisma.raw("DESC");
  const identity = [
    Prisma.sql`c.ord ${direction}`,
    Prisma.sql`o.namespace COLLATE "C" ${direction}`,
    Prisma.sql`o.name COLLATE "C" ${direction}`,
    Prisma.sql`o.kind COLLATE "C" ${direction}`,
  ];
  const health = Prisma.join(
    Object.entries(HEALTH_ORDER).map(([name, rank]) => Prisma.sql`WHEN ${name} THEN ${rank}`),
    " ",
  );
  const key: Record<ListInventoryQuery["sort"], Prisma.Sql | null> = {
    cluster: null,
    namespace: Prisma.sql`o.namespace COLLATE "C" ${direction}`,
    name: Prisma.sql`o.name COLLATE "C" ${direction}`,
    kind: Prisma.sql`o.kind COLLATE "C" ${direction}`,
    // Newest first in ascending order, as the list always showed age.
    age: Prisma.sql`coalesce(o.created_at, '-infinity'::timestamptz) ${reverse}`,
    health: Prisma.sql`(CASE o.health ${health} ELSE 9 END) ${direction}`,
    ready: Prisma.sql`(coalesce(o.ready, 0)::float8 / greatest(1, coalesce(o.desired, 1))) ${direction}`,
    size: Prisma.sql`coalesce(o.size, 0) ${direction}`,
  };
  const first = key[sort];
  return Prisma.join(first ? [first, ...identity] : identity, ", ");
}

interface IndexedRow {
  cluster_id: string;
  kind: InventoryKind;
  namespace: string;
  name: string;
  uid: string;
  labels: unknown;
  created_at: Date | null;
  health: string | null;
  ready: number | null;
  desired: number | null;
  size: number | null;
  detail: unknown;
}

function toRow(row: IndexedRow, clusterName: string): InventoryRow {
  const detail = (row.detail && typeof row.detail === "object" ? row.detail : {}) as Partial<InventoryRow>;
  const result: InventoryRow = {
    clusterId: row.cluster_id,
    clusterName,
    kind: row.kind,
    namespace: row.namespace,
    name: row.name,
    uid: row.uid,
    labels: stringRecord(row.labels),
    createdAt: row.created_at ? row.created_at.toISOString().replace(".000Z", "Z") : "",
  };
  if (row.ready !== null) result.ready = row.ready;
  if (row.desired !== null) result.desired = row.desired;
  if (detail.images) result.images = detail.images;
  if (detail.conditions) result.conditions = detail.conditions;
  if (row.health !== null) result.health = row.health as Health;
  if (detail.keys) result.keys = detail.keys;
  if (detail.keyCount !== undefined) result.keyCount = detail.keyCount;
  if (row.kind === "configmaps" && row.size !== null) result.size = row.size;
  if (detail.secretType !== undefined) result.secretType = detail.secretType;
  return result;
}

/** A cluster's answer from its collectors' rows, with the states the status strip has always shown. */
function clusterResult(
  cluster: ClusterRow,
  rows: Array<CollectorFreshness | undefined>,
  waitedMs: number,
  timeoutMs: number,
): ClusterResult {
  const result: ClusterResult = {
    id: cluster.id,
    name: cluster.name,
    state: "ok",
    count: 0,
    waitedMs: rows.some(isPending) || rows.some((row) => row && !row.syncedAt) ? waitedMs : 0,
    listMs: null,
    syncedAt: null,
    lastEventAt: null,
    staleSince: null,
    error: null,
    retryAt: null,
    note: null,
  };
  for (const row of rows) {
    if (isPending(row)) {
      result.state = "timed_out";
      result.error = { code: "timeout", message: `No answer within ${timeoutMs / 1000} s` };
      continue;
    }
    const error = row!.errorCode ? { code: row!.errorCode, message: row!.errorMessage ?? "" } : null;
    if (!row!.syncedAt) {
      result.state =
        error?.code === "forbidden" ? "forbidden" : error?.code === "timeout" ? "timed_out" : "unreachable";
      result.error = error;
      result.retryAt = row!.retryAt?.toISOString() ?? null;
      continue;
    }
    if (error && !row!.live) {
      // Filled earlier, watch lost since: serve what the index has, flagged.
      if (result.state === "ok") result.state = "stale";
      result.error = error;
      result.retryAt = row!.retryAt?.toISOString() ?? null;
    }
    result.listMs = Math.max(result.listMs ?? 0, row!.listMs ?? 0);
    result.syncedAt = latest(result.syncedAt, row!.syncedAt);
    result.lastEventAt = latest(result.lastEventAt, row!.lastEventAt);
    if (row!.staleSince) result.staleSince = earliest(result.staleSince, row!.staleSince);
  }
  return result;
}

const latest = (current: string | null | undefined, next: Date | null) =>
  next && (!current || next.toISOString() > current) ? next.toISOString() : (current ?? null);
const earliest = (current: string | null | undefined, next: Date) =>
  !current || next.toISOString() < current ? next.toISOString() : current;

function itemFilter(
  profile: AccessProfile,
  query: ListInventoryQuery,
  labelSelector: ParsedSelector | null,
  clusterId: string,
) {
  const patterns = namespacePatterns(profile, clusterId, "view");
  const search = query.q?.toLowerCase() ?? "";
  return (item: InventoryItem) =>
    matchesAnyNamespace(patterns, item.namespace) &&
    (query.view !== "secrets" || secretsAtLeast(secretAccessFor(profile, clusterId, item.namespace), "metadata")) &&
    (!query.namespace || namespaceMatches(query.namespace, item.namespace)) &&
    (!search || item.name.includes(search)) &&
    (!labelSelector || matchesSelector(labelSelector, item.labels)) &&
    (!query.health || item.health === query.health);
}

/** A cluster that impersonates users: listed live, as the user, per namespace their grants cover. */
async function collectLive(
  profile: AccessProfile,
  cluster: ClusterRow,
  kinds: InventoryKind[],
  filter: (item: InventoryItem) => boolean,
  deadline: number,
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
    lastEventAt: null,
    staleSince: null,
    error: null,
    retryAt: null,
    note: null,
  };
  try {
    const transport = await transportFor(cluster.id, cluster.revision);
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
  } catch (error) {
    const classified = classifyClusterError(error);
    result.state =
      classified.code === "timeout" ? "timed_out" : classified.code === "forbidden" ? "forbidden" : "unreachable";
    // A credential that does not open says so, naming the cluster (credential-vault.ts).
    result.error = { code: classified.code, message: classified.message };
    result.waitedMs = Date.now() - started;
    return { items: [], result };
  }
}

interface Matched {
  item: InventoryItem;
  clusterId: string;
  clusterName: string;
}

/** The order of orderSql, in memory: only for merging live-listed clusters into a page. */
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
