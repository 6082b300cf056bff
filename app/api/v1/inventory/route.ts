import { listInventoryQuerySchema } from "@/lib/schemas/inventory";
import { queryInventory } from "@/lib/server/inventory/query";
import { route } from "@/lib/server/http/route";

/** Workloads, configmaps or secrets (metadata only) of every cluster the caller may see, merged and paged. */
export const GET = route({ access: "user", query: listInventoryQuerySchema }, async ({ query, profile }) =>
  queryInventory(await profile(), query),
);
