import "server-only";
import { defineClusterMetrics } from "./cluster-metrics";
import { defineInventoryMetrics } from "./inventory-metrics";
import { defineQueueMetrics } from "./queue-metrics";
import { defineRolloutMetrics } from "./rollout-metrics";

/**
 * The fleet's collectors, defined when /metrics is first served. They read higher layers
 * (inventory, rollouts, the job queue), so they live apart from registry.ts, counters.ts and
 * http-requests.ts, which lower layers (auth, http) import.
 */
export function defineFleetMetrics(): void {
  defineInventoryMetrics();
  defineClusterMetrics();
  defineRolloutMetrics();
  defineQueueMetrics();
}
