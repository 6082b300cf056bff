import "server-only";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";

/**
 * Tombstones (deleted objects, kept so that a late event cannot bring them back) older than
 * ARCHIPELAGO_TIMELINE_RETENTION_HOURS are removed by the periodic maintenance
 * (runtime/maintenance.ts), beside the timeline's own purge (inventory/timeline/purge.ts). A
 * tombstone older than the retention is far older than any watch event still in flight.
 */
export async function purgeTombstones(retentionHours = env().ARCHIPELAGO_TIMELINE_RETENTION_HOURS): Promise<number> {
  const seconds = retentionHours * 3600;
  return db().$executeRaw`
    DELETE FROM inventory_objects WHERE deleted_at < now() - make_interval(secs => ${seconds})`;
}
