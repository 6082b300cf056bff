import { db } from "@/lib/server/db/client";
import type { ChangeType } from "@/lib/schemas/timeline";

/**
 * Timeline rows written straight into inventory_changes, as the collectors write them (one row
 * per real change, projections before and after), for tests of the read side.
 */
export interface ChangeFixture {
  clusterId: string;
  kind?: string;
  uid?: string;
  namespace: string;
  name: string;
  change?: ChangeType;
  at: Date;
  resourceVersion?: number;
  healthBefore?: string | null;
  healthAfter?: string | null;
  before?: object | null;
  after?: object | null;
}

let version = 1000;

/** Inserts the rows in one statement; answers their ids in the order given. */
export async function insertChanges(rows: ChangeFixture[]): Promise<string[]> {
  const created = await db().inventoryChange.createManyAndReturn({
    data: rows.map((row) => {
      const change = row.change ?? "changed";
      const projection = { labels: { app: row.name }, health: row.healthAfter ?? null, detail: {} };
      return {
        clusterId: row.clusterId,
        kind: row.kind ?? "configmaps",
        uid: row.uid ?? `${row.clusterId}/${row.namespace}/${row.name}`,
        namespace: row.namespace,
        name: row.name,
        change,
        at: row.at,
        resourceVersion: BigInt(row.resourceVersion ?? (version += 1)),
        healthBefore: row.healthBefore ?? null,
        healthAfter: row.healthAfter ?? null,
        before: (row.before === undefined ? (change === "created" ? null : projection) : row.before) ?? undefined,
        after: (row.after === undefined ? (change === "deleted" ? null : projection) : row.after) ?? undefined,
      };
    }),
    select: { id: true },
  });
  return created.map((row) => row.id.toString());
}
