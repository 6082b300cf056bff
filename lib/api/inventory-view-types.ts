import type { InventoryViewFilters } from "@/lib/schemas/inventory-views";

/** A saved inventory view as the API answers it. */
export interface InventoryViewView {
  id: string;
  name: string;
  teamId: string | null;
  teamName: string | null;
  ownerEmail: string;
  /** The caller owns it (and so may delete it). */
  mine: boolean;
  filters: InventoryViewFilters;
  createdAt: string;
}
