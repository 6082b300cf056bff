import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { InventoryKind } from "@/lib/k8s/kinds";
import { db } from "@/lib/server/db/client";
import type { InventoryItem } from "../project";

/**
 * Writes a collector's projections into the fleet index, one SQL statement per batch (not
 * one per object), fenced on the collector still holding its lease: a collector whose lease
 * has passed to another instance writes nothing. In the same statement:
 * - an object only ever moves forward: `WHERE resource_version < EXCLUDED.resource_version`,
 *   so a replayed or late event is a no-op (deletes stay as tombstones for the same reason);
 * - one timeline row (inventory_changes) per real change of the projection, except while the
 *   (cluster, kind) is being filled for the first time (`synced_at` still null), so a fresh
 *   index or a restart does not flood the timeline. Secrets are metadata-only projections
 *   (key count and type), so the timeline never holds a secret value.
 */

export interface IndexRow {
  uid: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  created_at: string;
  rv: string;
  health: string | null;
  ready: number | null;
  desired: number | null;
  size: number | null;
  detail: Record<string, unknown>;
  deleted: boolean;
}

/** resourceVersion as etcd's revision (a decimal integer); anything else cannot be ordered and is refused. */
export function revisionOf(resourceVersion: string | undefined): string | null {
  return resourceVersion && /^\d{1,19}$/.test(resourceVersion) ? resourceVersion : null;
}

/** The indexed form of a projection: sortable fields as columns, the rest in `detail`. */
export function toIndexRow(item: InventoryItem, deleted = false): IndexRow | null {
  const rv = revisionOf(item.resourceVersion);
  if (!rv) return null;
  const detail: Record<string, unknown> = {};
  if (item.images !== undefined) detail.images = item.images;
  if (item.conditions !== undefined) detail.conditions = item.conditions;
  if (item.keys !== undefined) detail.keys = item.keys;
  if (item.keyCount !== undefined) detail.keyCount = item.keyCount;
  if (item.secretType !== undefined) detail.secretType = item.secretType;
  return {
    uid: item.uid,
    namespace: item.namespace,
    name: item.name,
    labels: item.labels,
    created_at: item.createdAt,
    rv,
    health: item.health ?? null,
    ready: item.ready ?? null,
    desired: item.desired ?? null,
    size: item.size ?? item.keyCount ?? null,
    detail,
    deleted,
  };
}

export interface Holder {
  clusterId: string;
  kind: InventoryKind;
  holder: string;
}

const leaseOf = (h: Holder) => Prisma.sql`
  SELECT synced_at IS NOT NULL AS record FROM inventory_collectors
  WHERE cluster_id = ${h.clusterId}::uuid AND kind = ${h.kind} AND holder = ${h.holder} AND lease_until > now()`;

/** The projection a timeline row shows (before/after): what the index keeps, never more. */
const projection = (alias: string) => {
  const a = Prisma.raw(alias);
  return Prisma.sql`jsonb_build_object('labels', ${a}.labels, 'health', ${a}.health, 'ready', ${a}.ready,
    'desired', ${a}.desired, 'detail', ${a}.detail)`;
};

/** Keeps the newest row per uid: one statement may not touch a row twice. */
function newestPerUid(rows: IndexRow[]): IndexRow[] {
  const byUid = new Map<string, IndexRow>();
  for (const row of rows) {
    const seen = byUid.get(row.uid);
    if (!seen || BigInt(seen.rv) <= BigInt(row.rv)) byUid.set(row.uid, row);
  }
  return [...byUid.values()];
}

export interface BatchResult {
  /** False when the lease is no longer ours: nothing was written, the collector must stop. */
  leased: boolean;
  written: number;
  changes: number;
}

/**
 * Upserts a batch. `touch` also records that the cluster was heard from (last event and the
 * resourceVersion to resume the watch from), in the same statement.
 */
export async function writeBatch(
  holder: Holder,
  rows: IndexRow[],
  touch: { resourceVersion: string | null } | null,
): Promise<BatchResult> {
  const input = newestPerUid(rows);
  const [result] = await db().$queryRaw<Array<{ leased: number; written: number; changes: number }>>(Prisma.sql`
    WITH lease AS (${leaseOf(holder)}),
    input AS (
      SELECT r.* FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS r(
        uid text, namespace text, name text, labels jsonb, created_at text, rv text, health text,
        ready int, desired int, size int, detail jsonb, deleted boolean)
      WHERE EXISTS (SELECT 1 FROM lease)
    ),
    prev AS (
      SELECT o.uid, o.labels, o.health, o.ready, o.desired, o.detail, o.deleted_at FROM inventory_objects o
      WHERE o.cluster_id = ${holder.clusterId}::uuid AND o.kind = ${holder.kind} AND o.uid IN (SELECT uid FROM input)
    ),
    up AS (
      INSERT INTO inventory_objects AS o (cluster_id, kind, uid, namespace, name, labels, created_at,
        resource_version, health, ready, desired, size, detail, deleted_at, indexed_at)
      SELECT ${holder.clusterId}::uuid, ${holder.kind}, i.uid, i.namespace, i.name, coalesce(i.labels, '{}'),
        NULLIF(i.created_at, '')::timestamptz, i.rv::bigint, i.health, i.ready, i.desired, i.size,
        coalesce(i.detail, '{}'), CASE WHEN i.deleted THEN now() END, now()
      FROM input i
      ON CONFLICT (cluster_id, kind, uid) DO UPDATE SET
        namespace = EXCLUDED.namespace, name = EXCLUDED.name, labels = EXCLUDED.labels,
        created_at = EXCLUDED.created_at, resource_version = EXCLUDED.resource_version,
        health = EXCLUDED.health, ready = EXCLUDED.ready, desired = EXCLUDED.desired, size = EXCLUDED.size,
        detail = EXCLUDED.detail, deleted_at = EXCLUDED.deleted_at, indexed_at = now()
      WHERE o.resource_version < EXCLUDED.resource_version
      RETURNING o.uid, o.namespace, o.name, o.labels, o.health, o.ready, o.desired, o.detail, o.deleted_at,
        o.resource_version
    ),
    classified AS (
      SELECT up.*, p.uid AS prev_uid, p.deleted_at AS prev_deleted_at, p.health AS prev_health,
        ${projection("p")} AS prev_projection, ${projection("up")} AS projection,
        CASE
          WHEN (p.uid IS NULL OR p.deleted_at IS NOT NULL) AND up.deleted_at IS NULL THEN 'created'
          WHEN p.uid IS NOT NULL AND p.deleted_at IS NULL AND up.deleted_at IS NOT NULL THEN 'deleted'
          WHEN p.uid IS NULL OR p.deleted_at IS NOT NULL OR up.deleted_at IS NOT NULL THEN NULL
          WHEN p.health IS DISTINCT FROM up.health THEN 'health'
          WHEN (p.labels, p.ready, p.desired, p.detail) IS DISTINCT FROM (up.labels, up.ready, up.desired, up.detail)
            THEN 'changed'
        END AS change
      FROM up LEFT JOIN prev p ON p.uid = up.uid
    ),
    changes AS (
      INSERT INTO inventory_changes (cluster_id, kind, uid, namespace, name, change, resource_version,
        health_before, health_after, before, after)
      SELECT ${holder.clusterId}::uuid, ${holder.kind}, c.uid, c.namespace, c.name, c.change, c.resource_version,
        CASE WHEN c.change <> 'created' THEN c.prev_health END,
        CASE WHEN c.change <> 'deleted' THEN c.health END,
        CASE WHEN c.change <> 'created' THEN c.prev_projection END,
        CASE WHEN c.change <> 'deleted' THEN c.projection END
      FROM classified c
      WHERE c.change IS NOT NULL AND coalesce((SELECT record FROM lease), false)
      RETURNING 1
    ),
    mark AS (
      UPDATE inventory_collectors SET last_event_at = now(),
        resource_version = coalesce(${touch?.resourceVersion ?? null}::text, resource_version)
      WHERE ${touch !== null} AND cluster_id = ${holder.clusterId}::uuid AND kind = ${holder.kind}
        AND holder = ${holder.holder} AND lease_until > now()
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM lease)::int AS leased, (SELECT count(*) FROM up)::int AS written,
      (SELECT count(*) FROM changes)::int AS changes`);
  return { leased: (result?.leased ?? 0) > 0, written: result?.written ?? 0, changes: result?.changes ?? 0 };
}

/**
 * After a complete list: tombstones what the list no longer has (and is older than the list),
 * and marks the collector live and current, in one statement fenced on the lease.
 */
export async function finishList(
  holder: Holder,
  list: { uids: string[]; resourceVersion: string; listMs: number },
): Promise<boolean> {
  const listRv = revisionOf(list.resourceVersion) ?? "0";
  const [result] = await db().$queryRaw<Array<{ leased: number }>>(Prisma.sql`
    WITH lease AS (${leaseOf(holder)}),
    gone AS (
      UPDATE inventory_objects o SET deleted_at = now(), resource_version = ${listRv}::bigint, indexed_at = now()
      WHERE o.cluster_id = ${holder.clusterId}::uuid AND o.kind = ${holder.kind} AND o.deleted_at IS NULL
        AND o.resource_version < ${listRv}::bigint AND NOT (o.uid = ANY(${list.uids}::text[]))
        AND EXISTS (SELECT 1 FROM lease)
      RETURNING o.uid, o.namespace, o.name, o.health, o.resource_version, ${projection("o")} AS projection
    ),
    changes AS (
      INSERT INTO inventory_changes (cluster_id, kind, uid, namespace, name, change, resource_version,
        health_before, health_after, before, after)
      SELECT ${holder.clusterId}::uuid, ${holder.kind}, g.uid, g.namespace, g.name, 'deleted', g.resource_version,
        g.health, NULL, g.projection, NULL
      FROM gone g WHERE coalesce((SELECT record FROM lease), false)
      RETURNING 1
    ),
    mark AS (
      UPDATE inventory_collectors SET state = 'synced', live = true, synced_at = now(), list_ms = ${list.listMs},
        resource_version = ${list.resourceVersion}, last_event_at = now(), stale_since = NULL,
        last_error_code = NULL, last_error_message = NULL, retry_at = NULL
      WHERE cluster_id = ${holder.clusterId}::uuid AND kind = ${holder.kind} AND holder = ${holder.holder}
        AND lease_until > now()
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM mark)::int AS leased`);
  return (result?.leased ?? 0) > 0;
}

/** Records a failure on the collector's row (fenced): state, error, since when stale, next retry. */
export async function recordFailure(
  holder: Holder,
  failure: { code: string; message: string; retryInMs: number },
): Promise<boolean> {
  const [result] = await db().$queryRaw<Array<{ leased: number }>>(Prisma.sql`
    WITH mark AS (
      UPDATE inventory_collectors SET
        state = CASE WHEN synced_at IS NULL THEN 'failed' ELSE 'synced' END, live = false,
        stale_since = coalesce(stale_since, now()), last_error_code = ${failure.code},
        last_error_message = ${failure.message},
        retry_at = now() + make_interval(secs => ${failure.retryInMs / 1000}::double precision)
      WHERE cluster_id = ${holder.clusterId}::uuid AND kind = ${holder.kind} AND holder = ${holder.holder}
        AND lease_until > now()
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM mark)::int AS leased`);
  return (result?.leased ?? 0) > 0;
}

/**
 * A collector resuming a watch where the previous holder left off: live again, and the error
 * the previous holder may have recorded cleared, fenced on the lease. False: the lease is gone.
 */
export async function markResumed(holder: Holder): Promise<boolean> {
  const updated = await db().$executeRaw`
    UPDATE inventory_collectors SET live = true, state = 'synced', last_error_code = NULL, last_error_message = NULL,
      retry_at = NULL, stale_since = NULL
    WHERE cluster_id = ${holder.clusterId}::uuid AND kind = ${holder.kind} AND holder = ${holder.holder}
      AND lease_until > now()`;
  return updated > 0;
}
