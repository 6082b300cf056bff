import type { Health, InventoryKind } from "@/lib/k8s/kinds";

export interface InventoryRow {
  clusterId: string;
  clusterName: string;
  kind: InventoryKind;
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  createdAt: string;
  ready?: number;
  desired?: number;
  images?: string[];
  conditions?: Array<{ type: string; status: string; reason?: string }>;
  health?: Health;
  keys?: string[];
  keyCount?: number;
  size?: number;
  secretType?: string;
}

export type ClusterAnswer = "ok" | "stale" | "timed_out" | "unreachable" | "forbidden";

/** How one cluster took part in an aggregated answer. */
export interface ClusterResult {
  id: string;
  name: string;
  state: ClusterAnswer;
  /**
   * Objects of this cluster that matched the filters; null when the whole answer matched more
   * than `INVENTORY_COUNT_LIMIT` objects, which are then not counted (see `totalCapped`).
   */
  count: number | null;
  /** How long this request waited for the cluster (0 when served from the fleet index at once). */
  waitedMs: number;
  /** Duration of the cluster's last full list. */
  listMs: number | null;
  /** When the data was last listed completely; kept current by a watch since. */
  syncedAt: string | null;
  /** When the collector last heard from the cluster (watch event, bookmark or completed list). */
  lastEventAt?: string | null;
  /** Since when a failure keeps this cluster's data from being current (null while current). */
  staleSince?: string | null;
  error: { code: string; message: string } | null;
  /** A failing cluster is retried at this time, not before (circuit breaker). */
  retryAt: string | null;
  /** Set when the cluster impersonates users and was listed live, per namespace. */
  note: string | null;
}

/** Matches counted exactly up to this many; beyond it an answer says "more than" (fleet-wide counts read every match). */
export const INVENTORY_COUNT_LIMIT = 10_000;

export interface InventoryResponse {
  items: InventoryRow[];
  /** Objects that matched; `INVENTORY_COUNT_LIMIT` when `totalCapped`. */
  total: number;
  /** More than `INVENTORY_COUNT_LIMIT` matched: `total` is a lower bound and per-cluster counts are null. */
  totalCapped: boolean;
  page: number;
  pageSize: number;
  clusters: ClusterResult[];
  /** Explains an empty result (e.g. a namespace pattern that matches nothing). */
  message: string | null;
  tookMs: number;
}

export interface CompareEntry {
  clusterId: string;
  clusterName: string;
  state: "present" | "missing" | "error";
  error?: string;
  /** Normalised spec/data as YAML (secrets: never values). */
  yaml?: string;
  /** Unified diff against the baseline; empty when identical. */
  diff?: string;
  same?: boolean;
  /** Secrets: per key, compared by a server-side digest. */
  keys?: Record<string, "same" | "different" | "missing" | "extra">;
  outlier: boolean;
}

export interface CompareResponse {
  baseline: string | null;
  entries: CompareEntry[];
}

export interface ObjectDetail {
  clusterId: string;
  clusterName: string;
  kind: InventoryKind;
  namespace: string;
  name: string;
  yaml: string;
  events: Array<{ type: string; reason: string; message: string; count: number; lastSeen: string | null }>;
  pods: Array<{ name: string; phase: string; ready: string; restarts: number; node: string | null; createdAt: string }>;
  /** Secrets: key names and byte sizes (never values). */
  secretKeys?: Array<{ key: string; size: number }>;
  canReveal: boolean;
}
