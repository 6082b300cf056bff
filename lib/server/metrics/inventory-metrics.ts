import "server-only";
import { Gauge } from "prom-client";
import { db } from "@/lib/server/db/client";
import { bounded, defineOnce, sharedRead } from "./registry";

/**
 * The fleet index's collectors (one per cluster and kind, across all instances), read from
 * inventory_collectors at scrape time, so every instance reports the same fleet-wide truth
 * whoever holds the lease; index rows counted per cluster and kind. Labelled by cluster id
 * only; archipelago_cluster_info maps ids to names.
 */

export const WATCH_STATES = ["watching", "relisting", "failed"] as const;
type WatchState = (typeof WATCH_STATES)[number];

interface CollectorRow {
  cluster_id: string;
  kind: string;
  live: boolean;
  held: boolean;
  last_error_code: string | null;
  /** Last heard from the cluster (event, bookmark or completed list), Unix seconds. */
  heard: number | null;
  stale_since: number | null;
  objects: number;
  now: number;
}

/** Watching: a held lease with a live watch; failed: an error recorded since; relisting otherwise. */
export function watchState(row: Pick<CollectorRow, "live" | "held" | "last_error_code">): WatchState {
  if (row.live && row.held) return "watching";
  return row.last_error_code ? "failed" : "relisting";
}

const readCollectors = sharedRead(
  () => db().$queryRaw<CollectorRow[]>`
    SELECT ic.cluster_id::text, ic.kind, ic.live, coalesce(ic.lease_until > now(), false) AS held,
      ic.last_error_code,
      extract(epoch FROM greatest(ic.last_event_at, ic.synced_at))::float8 AS heard,
      extract(epoch FROM ic.stale_since)::float8 AS stale_since,
      coalesce(n.objects, 0)::int AS objects,
      extract(epoch FROM now())::float8 AS now
    FROM inventory_collectors ic
    LEFT JOIN (
      SELECT cluster_id, kind, count(*) AS objects FROM inventory_objects WHERE deleted_at IS NULL
      GROUP BY cluster_id, kind
    ) n ON n.cluster_id = ic.cluster_id AND n.kind = ic.kind`,
);

const labelNames = ["cluster_id", "kind"] as const;
const labelsOf = (row: CollectorRow) => ({ cluster_id: row.cluster_id, kind: row.kind });

export function defineInventoryMetrics(): void {
  defineOnce("inventory", (registry) => {
    const gauge = (name: string, help: string, fill: (gauge: Gauge<string>, row: CollectorRow) => void) =>
      new Gauge({
        name,
        help,
        labelNames: name.endsWith("_watch_state") ? [...labelNames, "state"] : [...labelNames],
        registers: [registry],
        async collect() {
          this.reset();
          await bounded("inventory", readCollectors, (rows) => {
            for (const row of rows) fill(this, row);
          });
        },
      });
    gauge(
      "archipelago_inventory_watch_state",
      "Collector state per cluster and kind: 1 for the current state (watching, relisting, failed), 0 for the others",
      (metric, row) => {
        const current = watchState(row);
        for (const state of WATCH_STATES) metric.set({ ...labelsOf(row), state }, state === current ? 1 : 0);
      },
    );
    gauge(
      "archipelago_inventory_objects",
      "Objects in the fleet index per cluster and kind (tombstones excluded)",
      (metric, row) => metric.set(labelsOf(row), row.objects),
    );
    gauge(
      "archipelago_inventory_last_event_timestamp_seconds",
      "When the collector last heard from the cluster (watch event, bookmark or completed list), Unix seconds",
      (metric, row) => {
        if (row.heard !== null) metric.set(labelsOf(row), row.heard);
      },
    );
    gauge(
      "archipelago_inventory_lag_seconds",
      "Seconds since the collector last heard from the cluster (bookmarks arrive about once a minute on a quiet cluster)",
      (metric, row) => {
        if (row.heard !== null) metric.set(labelsOf(row), Math.max(0, row.now - row.heard));
      },
    );
    gauge(
      "archipelago_inventory_stale_since_timestamp_seconds",
      "Since when a failure keeps the index of a cluster and kind from being current, Unix seconds (absent while current)",
      (metric, row) => {
        if (row.stale_since !== null) metric.set(labelsOf(row), row.stale_since);
      },
    );
    return true;
  });
}
