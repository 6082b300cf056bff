import type { ClusterStatus } from "./cluster-types";
import type { ClusterAnswer } from "./inventory-types";
import type { Health } from "@/lib/k8s/kinds";

/** Shape of GET /api/v1/overview, shared by the browser and the server. Only what the caller may see. */
export interface OverviewResponse {
  clusters: {
    total: number;
    /** Reachability as the health monitor last saw it (the cluster list's `status`). */
    byStatus: Record<ClusterStatus, number>;
  };
  workloads: {
    /** Per health state, over every visible workload of every visible cluster. */
    totals: Record<Health, number>;
    /** One row per visible cluster, in natural name order (a2 before a10). */
    clusters: OverviewClusterRow[];
  };
  rollouts: {
    /** Rollouts in flight (running, paused, rolling back) the caller may read. */
    total: number;
    items: OverviewRollout[];
  };
  releases: {
    /** Releases the caller may read with at least one visible drifted cluster. */
    drifted: number;
    items: OverviewRelease[];
  };
  tookMs: number;
}

export interface OverviewClusterRow {
  id: string;
  name: string;
  status: ClusterStatus;
  kubernetesVersion: string | null;
  /** How the inventory answered for this cluster (a cluster it could not list has no counts). */
  inventory: ClusterAnswer;
  workloads: Record<Health, number>;
}

export interface OverviewRollout {
  id: string;
  release: string;
  state: string;
  /** 0-based position among the waves the caller sees (as on the rollout page). */
  currentWave: number;
  waves: number;
  targets: number;
  succeeded: number;
  failed: number;
  createdAt: string;
}

export interface OverviewRelease {
  id: string;
  name: string;
  clusters: number;
  drifted: number;
}
