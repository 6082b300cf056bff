import { stopCollectorsInProcess } from "@/lib/server/inventory/collectors/supervisor";
import { db } from "@/lib/server/db/client";

/**
 * A cold fleet index, as after a first start: this process's collectors stopped and every
 * index row of this test file's database gone. The next inventory read starts the collectors
 * again and waits for their first lists (collectors/freshness.ts).
 */
export async function resetFleetIndex(): Promise<void> {
  await stopCollectorsInProcess();
  await db().$executeRaw`DELETE FROM inventory_collectors`;
  await db().$executeRaw`DELETE FROM inventory_objects`;
  await db().$executeRaw`DELETE FROM inventory_changes`;
}

/**
 * Test fixtures that write index rows themselves lease the (cluster, kind) to a holder that
 * is no instance, for a day, so no supervisor claims it (and tombstones their rows).
 */
export async function leaseToFixture(clusterId: string, kind: string, state: "synced" | "syncing" = "synced") {
  await db().$executeRaw`
    INSERT INTO inventory_collectors (cluster_id, kind, holder, lease_until, state, live, synced_at)
    VALUES (${clusterId}::uuid, ${kind}, 'test-fixture', now() + interval '1 day', ${state}, ${state === "synced"},
      ${state === "synced" ? new Date() : null})
    ON CONFLICT (cluster_id, kind) DO UPDATE SET holder = 'test-fixture', lease_until = now() + interval '1 day',
      state = EXCLUDED.state, live = EXCLUDED.live, synced_at = EXCLUDED.synced_at`;
}
