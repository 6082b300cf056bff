import { apiFetch } from "./client";
import type { ChangeWindowBody, FreezeBody } from "@/lib/schemas/change-windows";

/** Browser calls for change windows and freezes (server: lib/server/access/change-window-store.ts). */

export interface ChangeWindowRow {
  id: string;
  name: string;
  kind: "recurring" | "once";
  clusterSelector: string;
  cron: string | null;
  timeZone: string | null;
  durationMinutes: number | null;
  startsAt: string | null;
  endsAt: string | null;
  openNow: boolean;
  /** While open: when it closes. */
  closesAt: string | null;
  /** While closed: when it opens next (null: never again, or not within a year). */
  nextOpening: string | null;
  createdByEmail: string;
  createdAt: string;
}

export interface FreezeRow {
  id: string;
  name: string;
  clusterSelector: string;
  startsAt: string;
  endsAt: string;
  reason: string;
  activeNow: boolean;
  createdByEmail: string;
  createdAt: string;
}

export const fetchChangeWindows = async () =>
  (await apiFetch<{ windows: ChangeWindowRow[] }>("/api/v1/change-windows")).windows;
export const createChangeWindow = (body: Partial<ChangeWindowBody> & { kind: string }) =>
  apiFetch<{ window: { id: string } }>("/api/v1/change-windows", { method: "POST", body });
export const deleteChangeWindow = (id: string) =>
  apiFetch<{ deleted: true }>(`/api/v1/change-windows/${id}`, { method: "DELETE" });

export const fetchFreezes = async () => (await apiFetch<{ freezes: FreezeRow[] }>("/api/v1/freezes")).freezes;
export const createFreeze = (body: Partial<FreezeBody>) =>
  apiFetch<{ freeze: { id: string } }>("/api/v1/freezes", { method: "POST", body });
export const deleteFreeze = (id: string) => apiFetch<{ deleted: true }>(`/api/v1/freezes/${id}`, { method: "DELETE" });
