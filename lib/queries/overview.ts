import { queryOptions } from "@tanstack/react-query";
import { fetchOverview } from "@/lib/api/overview";

export const overviewKeys = { all: ["overview"] as const };

export const overviewQuery = () =>
  queryOptions({
    queryKey: overviewKeys.all,
    queryFn: fetchOverview,
    // Health and rollouts move in the background; the overview follows like the cluster list.
    refetchInterval: 10_000,
    staleTime: 5_000,
  });
