import "server-only";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";

/** Rows deleted per statement: short statements keep the collectors' inserts from waiting behind one long delete. */
const BATCH = 5000;

/**
 * Retention of the change timeline: deletes every entry older than
 * ARCHIPELAGO_TIMELINE_RETENTION_HOURS before `now`, in batches, and answers how many went.
 * Called by the periodic maintenance of every instance; running it twice at once is harmless
 * (each batch deletes what is still there).
 */
export async function purgeTimeline(now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - env().ARCHIPELAGO_TIMELINE_RETENTION_HOURS * 3_600_000);
  let removed = 0;
  for (;;) {
    const deleted = await db().$executeRaw`
      DELETE FROM inventory_changes
      WHERE id IN (SELECT id FROM inventory_changes WHERE at < ${cutoff} LIMIT ${BATCH})`;
    removed += deleted;
    if (deleted < BATCH) return removed;
  }
}
