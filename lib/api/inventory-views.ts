import type { CreateInventoryViewBody } from "@/lib/schemas/inventory-views";
import { apiFetch } from "./client";
import type { InventoryViewView } from "./inventory-view-types";

export const fetchInventoryViews = () =>
  apiFetch<{ views: InventoryViewView[] }>("/api/v1/inventory/views").then((r) => r.views);
export const createInventoryView = (body: CreateInventoryViewBody) =>
  apiFetch<{ view: InventoryViewView }>("/api/v1/inventory/views", { method: "POST", body }).then((r) => r.view);
export const deleteInventoryView = (id: string) =>
  apiFetch<null>(`/api/v1/inventory/views/${id}`, { method: "DELETE" });
