import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { purgeTimeline } from "@/lib/server/inventory/timeline/purge";
import { resetDatabase } from "@/lib/testing/reset-database";
import { insertChanges } from "@/lib/testing/timeline-fixtures";

/**
 * Retention of the change timeline in real Postgres: purgeTimeline(now) deletes exactly the entries
 * older than ARCHIPELAGO_TIMELINE_RETENTION_HOURS (default 72) before `now`, in batches, and
 * nothing newer.
 */

const cluster = randomUUID();
const HOUR = 3_600_000;
const now = new Date("2026-12-05T12:00:00.000Z");

async function remainingAges(): Promise<number[]> {
  const rows = await db().inventoryChange.findMany({ select: { at: true }, orderBy: { at: "asc" } });
  return rows.map((row) => (now.getTime() - row.at.getTime()) / HOUR);
}

beforeAll(async () => {
  await resetDatabase();
});

afterEach(async () => {
  delete process.env.ARCHIPELAGO_TIMELINE_RETENTION_HOURS;
  resetEnvForTests();
  await db().inventoryChange.deleteMany({});
});

describe("purgeTimeline", () => {
  it("keeps 72 hours by default: deletes what is older, keeps the boundary and everything newer", async () => {
    const ages = [200, 73, 72.001, 72, 71.999, 24, 1, 0];
    await insertChanges(
      ages.map((age, i) => ({
        clusterId: cluster,
        namespace: "a",
        name: `o${i}`,
        at: new Date(now.getTime() - age * HOUR),
      })),
    );
    expect(await purgeTimeline(now)).toBe(3);
    expect(await remainingAges()).toEqual([72, 71.999, 24, 1, 0]);
    expect(await purgeTimeline(now)).toBe(0);
  });

  it("reads the retention from ARCHIPELAGO_TIMELINE_RETENTION_HOURS, and deletes more than one batch", async () => {
    process.env.ARCHIPELAGO_TIMELINE_RETENTION_HOURS = "2";
    resetEnvForTests();
    // In one statement: Prisma's createMany of 12,345 rows takes seconds.
    await db().$executeRaw`
      INSERT INTO inventory_changes (cluster_id, kind, uid, namespace, name, change, at, resource_version)
      SELECT ${cluster}::uuid, 'configmaps', 'u' || g, 'a', 'old-' || g, 'changed',
             ${new Date(now.getTime() - 3 * HOUR)}::timestamptz - g * interval '1 second', g
      FROM generate_series(1, 12345) AS g`;
    await insertChanges([{ clusterId: cluster, namespace: "a", name: "new", at: new Date(now.getTime() - HOUR) }]);
    expect(await purgeTimeline(now)).toBe(12_345);
    expect(await remainingAges()).toEqual([1]);
  });

  it("refuses a retention that is not a whole number of hours at start-up, naming the variable", async () => {
    process.env.ARCHIPELAGO_TIMELINE_RETENTION_HOURS = "0";
    resetEnvForTests();
    await expect(purgeTimeline(now)).rejects.toThrow(/ARCHIPELAGO_TIMELINE_RETENTION_HOURS/);
  });
});
