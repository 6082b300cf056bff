import "server-only";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";

/**
 * The fleet index's history is bounded: tombstones (deleted objects, kept so that a late event
 * cannot bring them back) and timeline rows older than ARCHIPELAGO_TIMELINE_RETENTION_HOURS
 * are removed by the periodic maintenance (runtime/maintenance.ts). A tombstone older than the
 * retention is far older than any watch event still in flight.
 */
export async function purgeFleetIndexHistory(
  retentionHours = env().ARCHIPELAGO_TIMELINE_RETENTION_HOURS,
): Promise<{ tombstones: number; changes: number }> {
  const seconds = retentionHours * 3600;
  const tombstones = await db().$executeRaw`
    DELETE FROM inventory_objects WHERE deleted_at < now() - make_interval(secs => ${seconds})`;
  const changes = await db().$executeRaw`
    DELETE FROM inventory_changes WHERE at < now() - make_interval(secs => ${seconds})`;
  return { tombstones, changes };
}
