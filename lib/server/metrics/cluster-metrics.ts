import "server-only";
import { Gauge } from "prom-client";
import { db } from "@/lib/server/db/client";
import { ClusterStatus } from "@/lib/generated/prisma/enums";
import { bounded, defineOnce, sharedRead } from "./registry";

/**
 * Cluster health as the background health checks last recorded it. Only each cluster's id,
 * name and status are read: never its labels, variables, server address or credential.
 */

const readClusters = sharedRead(() => db().cluster.findMany({ select: { id: true, name: true, status: true } }));

export function defineClusterMetrics(): void {
  defineOnce("clusters", (registry) => {
    new Gauge({
      name: "archipelago_clusters",
      help: "Registered clusters by health status (never_checked, reachable, unreachable)",
      labelNames: ["status"],
      registers: [registry],
      async collect() {
        this.reset();
        await bounded("clusters", readClusters, (clusters) => {
          for (const status of Object.values(ClusterStatus))
            this.set({ status }, clusters.filter((cluster) => cluster.status === status).length);
        });
      },
    });
    new Gauge({
      name: "archipelago_cluster_info",
      help: "1 per registered cluster, naming it and its health status; join on cluster_id",
      labelNames: ["cluster_id", "cluster", "status"],
      registers: [registry],
      async collect() {
        this.reset();
        await bounded("clusters", readClusters, (clusters) => {
          for (const cluster of clusters)
            this.set({ cluster_id: cluster.id, cluster: cluster.name, status: cluster.status }, 1);
        });
      },
    });
    return true;
  });
}
