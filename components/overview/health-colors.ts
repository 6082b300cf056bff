import type { Health } from "@/lib/k8s/kinds";

/** One color per workload health, shared by the heat map and the legend (readable on light and dark). */
export const HEALTH_COLORS: Record<Health, string> = {
  healthy: "#059669",
  progressing: "#2563eb",
  degraded: "#d97706",
  failed: "#dc2626",
  suspended: "#64748b",
};

export const HEALTH_LABELS: Record<Health, string> = {
  healthy: "Healthy",
  progressing: "Progressing",
  degraded: "Degraded",
  failed: "Failed",
  suspended: "Suspended",
};
