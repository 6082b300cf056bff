import { queryOptions } from "@tanstack/react-query";
import { fetchInventoryViews } from "@/lib/api/inventory-views";

/** Saved views are settings, not cluster data: their own root, outside "k8s". */
export const inventoryViewKeys = { all: ["inventory-views"] as const };

export const inventoryViewsQuery = () =>
  queryOptions({ queryKey: inventoryViewKeys.all, queryFn: fetchInventoryViews, staleTime: 30_000 });
