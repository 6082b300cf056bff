import { apiFetch } from "./client";
import type { OverviewResponse } from "./overview-types";

export const fetchOverview = () => apiFetch<OverviewResponse>("/api/v1/overview");

/** Where each number of the overview leads: the filtered view that shows the same things. */
export const overviewLinks = {
  clusters: (status?: string) => (status ? `/clusters?status=${encodeURIComponent(status)}` : "/clusters"),
  workloads: (health?: string, cluster?: string) => {
    const query = new URLSearchParams({ view: "workloads" });
    if (health) query.set("health", health);
    if (cluster) query.set("clusters", cluster);
    return `/inventory?${query}`;
  },
  rollout: (id: string) => `/rollouts/${encodeURIComponent(id)}`,
  release: (id: string) => `/rollouts/releases/${encodeURIComponent(id)}`,
};
