import { z } from "zod";
import { listInventoryQuerySchema } from "./inventory";

/**
 * The filters a saved view keeps: the inventory list's own filter fields (one home for their
 * rules), without paging. Stored as JSON and parsed with this schema on every read.
 */
export const inventoryViewFiltersSchema = listInventoryQuerySchema
  .pick({
    view: true,
    kind: true,
    clusterSelector: true,
    clusters: true,
    namespace: true,
    q: true,
    labelSelector: true,
    health: true,
    sort: true,
    order: true,
  })
  .strict();
export type InventoryViewFilters = z.infer<typeof inventoryViewFiltersSchema>;

export const createInventoryViewBodySchema = z
  .object({
    name: z
      .string({ error: "name is required" })
      .trim()
      .min(1, "name is required")
      .max(100, "name must be at most 100 characters"),
    /** Shared with this team's members; null keeps the view to its owner. */
    teamId: z.uuid({ error: "teamId must be a team id" }).nullable().default(null),
    filters: inventoryViewFiltersSchema,
  })
  .strict();
export type CreateInventoryViewBody = z.infer<typeof createInventoryViewBodySchema>;
