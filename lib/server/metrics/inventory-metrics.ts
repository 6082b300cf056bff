import "server-only";
import { Gauge } from "prom-client";
import { allReflectors } from "@/lib/server/inventory/cache";
import type { Reflector } from "@/lib/server/inventory/reflector";
import { defineOnce } from "./registry";

/**
 * The inventory's watch caches (one reflector per cluster and kind), read live at scrape
 * time from this process's memory: no database, so they answer while Postgres is down.
 * Labelled by cluster id only; archipelago_cluster_info maps ids to names.
 */

export const WATCH_STATES = ["watching", "relisting", "failed"] as const;
type WatchState = (typeof WATCH_STATES)[number];

export function watchState(reflector: Reflector): WatchState {
  if (reflector.live) return "watching";
  return reflector.lastError ? "failed" : "relisting";
}

/** The last time the cache heard from the cluster: a watch event, or the end of a full list. */
function lastHeard(reflector: Reflector): number | null {
  const times = [reflector.lastEventAt, reflector.syncedAt].filter((at): at is number => at !== null);
  return times.length ? Math.max(...times) : null;
}

const labelNames = ["cluster_id", "kind"] as const;
const labelsOf = (reflector: Reflector) => ({ cluster_id: reflector.clusterId, kind: reflector.kind });

export function defineInventoryMetrics(): void {
  defineOnce("inventory", (registry) => {
    const gauge = (name: string, help: string, fill: (gauge: Gauge<string>, reflector: Reflector) => void) =>
      new Gauge({
        name,
        help,
        labelNames: name.endsWith("_watch_state") ? [...labelNames, "state"] : [...labelNames],
        registers: [registry],
        collect() {
          this.reset();
          for (const reflector of allReflectors()) if (!reflector.stopped) fill(this, reflector);
        },
      });
    gauge(
      "archipelago_inventory_watch_state",
      "Watch cache state per cluster and kind: 1 for the current state (watching, relisting, failed), 0 for the others",
      (metric, reflector) => {
        const current = watchState(reflector);
        for (const state of WATCH_STATES) metric.set({ ...labelsOf(reflector), state }, state === current ? 1 : 0);
      },
    );
    gauge(
      "archipelago_inventory_objects",
      "Objects held in this instance's watch cache per cluster and kind",
      (metric, reflector) => metric.set(labelsOf(reflector), reflector.items.size),
    );
    gauge(
      "archipelago_inventory_last_event_timestamp_seconds",
      "When the watch cache last heard from the cluster (watch event, bookmark or completed list), Unix seconds",
      (metric, reflector) => {
        const at = lastHeard(reflector);
        if (at !== null) metric.set(labelsOf(reflector), at / 1000);
      },
    );
    gauge(
      "archipelago_inventory_lag_seconds",
      "Seconds since the watch cache last heard from the cluster (bookmarks arrive about once a minute on a quiet cluster)",
      (metric, reflector) => {
        const at = lastHeard(reflector);
        if (at !== null) metric.set(labelsOf(reflector), Math.max(0, (Date.now() - at) / 1000));
      },
    );
    gauge(
      "archipelago_inventory_stale_since_timestamp_seconds",
      "Since when a failure keeps the watch cache from being current, Unix seconds (absent while current)",
      (metric, reflector) => {
        if (reflector.staleSince !== null) metric.set(labelsOf(reflector), reflector.staleSince / 1000);
      },
    );
    return true;
  });
}
