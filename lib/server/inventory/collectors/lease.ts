import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { ALL_KINDS, type InventoryKind } from "@/lib/k8s/kinds";
import { db } from "@/lib/server/db/client";

/**
 * Leases on (cluster, kind) collectors in inventory_collectors, so that exactly one collector
 * per (cluster, kind) runs across every app instance. Every time is the database's clock
 * (now()), never an instance's, so clock skew between instances cannot make two holders.
 * A lease lasts LEASE_SECONDS and is renewed every RENEW_MS; an instance that stops renewing
 * (killed, partitioned) loses its leases when they run out, and the next tick of any other
 * instance takes them: within LEASE_SECONDS + RENEW_MS (13 s).
 */

export const LEASE_SECONDS = 10;
export const RENEW_MS = 3_000;
/** Presence rows in app_instances that count as collector hosts (the rollout worker has its own). */
export const INSTANCE_PREFIX = "inventory:";

export interface LeaseRow {
  clusterId: string;
  kind: InventoryKind;
  revision: number;
  /**
   * Claimed only: the resourceVersion the previous holder had written everything up to, when the
   * index was filled before. The new holder resumes the watch there instead of listing again
   * (a restart or takeover costs the events since, not a full list); a 410 lists again.
   */
  resumeFrom?: string | null;
}

const leaseInterval = Prisma.sql`make_interval(secs => ${LEASE_SECONDS})`;

type RawLease = { cluster_id: string; kind: InventoryKind; cluster_revision: number; resume_from?: string | null };
const toLease = (row: RawLease): LeaseRow => ({
  clusterId: row.cluster_id,
  kind: row.kind,
  revision: row.cluster_revision,
  resumeFrom: row.resume_from ?? null,
});

/** This instance is alive (and a collector host): the spread counts these. */
export async function heartbeat(me: string): Promise<void> {
  await db().$executeRaw`
    INSERT INTO app_instances (id, started_at, heartbeat_at) VALUES (${me}, now(), now())
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`;
}

/**
 * One row per (registered cluster, inventory kind); a changed connection revision is copied
 * onto the row so the holder restarts its collector with the new transport. Rows of deleted
 * clusters go with them (foreign key cascade).
 */
export async function ensureWanted(): Promise<void> {
  await db().$executeRaw`
    INSERT INTO inventory_collectors (cluster_id, kind, cluster_revision)
    SELECT c.id, k.kind, c.revision FROM clusters c CROSS JOIN unnest(${[...ALL_KINDS]}::text[]) AS k(kind)
    ON CONFLICT (cluster_id, kind) DO UPDATE SET cluster_revision = EXCLUDED.cluster_revision
    WHERE inventory_collectors.cluster_revision <> EXCLUDED.cluster_revision`;
}

/** Extends the leases this instance still holds; what it no longer holds is not returned. */
export async function renew(me: string): Promise<LeaseRow[]> {
  const rows = await db().$queryRaw<RawLease[]>`
    UPDATE inventory_collectors SET lease_until = now() + ${leaseInterval}
    WHERE holder = ${me} AND lease_until > now()
    RETURNING cluster_id::text, kind, cluster_revision`;
  return rows.map(toLease);
}

/** How many collectors exist and how many instances share them (this one included). */
export async function fleetShape(me: string): Promise<{ wanted: number; instances: number }> {
  const [row] = await db().$queryRaw<Array<{ wanted: number; instances: number }>>`
    SELECT (SELECT count(*) FROM inventory_collectors)::int AS wanted,
      (SELECT count(*) FROM app_instances WHERE id LIKE ${`${INSTANCE_PREFIX}%`} AND id <> ${me}
        AND heartbeat_at > now() - ${leaseInterval})::int + 1 AS instances`;
  return row ?? { wanted: 0, instances: 1 };
}

/** Takes up to `count` free or expired leases; SKIP LOCKED lets instances claim side by side. */
export async function claim(me: string, count: number): Promise<LeaseRow[]> {
  if (count <= 0) return [];
  const rows = await db().$queryRaw<RawLease[]>`
    UPDATE inventory_collectors ic SET holder = ${me}, lease_until = now() + ${leaseInterval}, live = false
    FROM (
      SELECT cluster_id, kind FROM inventory_collectors
      WHERE holder IS NULL OR lease_until IS NULL OR lease_until <= now()
      ORDER BY wanted_at, cluster_id, kind
      LIMIT ${count}
      FOR UPDATE SKIP LOCKED
    ) free
    WHERE ic.cluster_id = free.cluster_id AND ic.kind = free.kind
    RETURNING ic.cluster_id::text, ic.kind, ic.cluster_revision,
      CASE WHEN ic.synced_at IS NOT NULL THEN ic.resource_version END AS resume_from`;
  return rows.map(toLease);
}

/** Gives leases back (more than this instance's share, or shutting down); the collectors are already stopped. */
export async function release(me: string, leases: Array<Pick<LeaseRow, "clusterId" | "kind">> | "all"): Promise<void> {
  if (leases !== "all" && leases.length === 0) return;
  const keys = leases === "all" ? null : leases.map((lease) => `${lease.clusterId}/${lease.kind}`);
  await db().$executeRaw`
    UPDATE inventory_collectors SET holder = NULL, lease_until = NULL, live = false
    WHERE holder = ${me} AND (${keys}::text[] IS NULL OR cluster_id::text || '/' || kind = ANY(${keys}::text[]))`;
}

export async function leaveFleet(me: string): Promise<void> {
  await db().$executeRaw`DELETE FROM app_instances WHERE id = ${me}`;
}
