/**
 * The kinds the fleet inventory shows, as plain descriptors (Headlamp keeps one file per
 * kind; as data they fit in one table). Browser-safe: the UI uses the same list.
 */

export type InventoryKind =
  "deployments" | "statefulsets" | "daemonsets" | "jobs" | "cronjobs" | "configmaps" | "secrets";
export type InventoryCategory = "workloads" | "configmaps" | "secrets";

export interface KindDescriptor {
  kind: string;
  plural: InventoryKind;
  apiVersion: string;
  /** URL prefix for the kind's API group: /api/v1 or /apis/<group>/<version>. */
  apiPath: string;
  category: InventoryCategory;
  namespaced: true;
}

export const KINDS: Record<InventoryKind, KindDescriptor> = {
  deployments: {
    kind: "Deployment",
    plural: "deployments",
    apiVersion: "apps/v1",
    apiPath: "/apis/apps/v1",
    category: "workloads",
    namespaced: true,
  },
  statefulsets: {
    kind: "StatefulSet",
    plural: "statefulsets",
    apiVersion: "apps/v1",
    apiPath: "/apis/apps/v1",
    category: "workloads",
    namespaced: true,
  },
  daemonsets: {
    kind: "DaemonSet",
    plural: "daemonsets",
    apiVersion: "apps/v1",
    apiPath: "/apis/apps/v1",
    category: "workloads",
    namespaced: true,
  },
  jobs: {
    kind: "Job",
    plural: "jobs",
    apiVersion: "batch/v1",
    apiPath: "/apis/batch/v1",
    category: "workloads",
    namespaced: true,
  },
  cronjobs: {
    kind: "CronJob",
    plural: "cronjobs",
    apiVersion: "batch/v1",
    apiPath: "/apis/batch/v1",
    category: "workloads",
    namespaced: true,
  },
  configmaps: {
    kind: "ConfigMap",
    plural: "configmaps",
    apiVersion: "v1",
    apiPath: "/api/v1",
    category: "configmaps",
    namespaced: true,
  },
  secrets: {
    kind: "Secret",
    plural: "secrets",
    apiVersion: "v1",
    apiPath: "/api/v1",
    category: "secrets",
    namespaced: true,
  },
};

export const WORKLOAD_KINDS: InventoryKind[] = ["deployments", "statefulsets", "daemonsets", "jobs", "cronjobs"];
export const ALL_KINDS = Object.keys(KINDS) as InventoryKind[];

export const HEALTH_STATES = ["healthy", "progressing", "degraded", "failed", "suspended"] as const;
export type Health = (typeof HEALTH_STATES)[number];

/** Views group kinds: "workloads" means all five workload kinds. */
export function kindsOfView(view: InventoryCategory | InventoryKind): InventoryKind[] {
  if (view === "workloads") return WORKLOAD_KINDS;
  return [view];
}
