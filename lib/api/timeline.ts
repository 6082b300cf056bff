import type { ChangesPage } from "@/lib/schemas/timeline";
import { apiFetch } from "./client";

/** The timeline's filters as the page holds them (URL values); `from` / `to` are absolute ISO times. */
export interface ChangeFilters {
  clusters?: string;
  kind?: string;
  namespace?: string;
  q?: string;
  change?: string;
}

export interface ChangesPageParam {
  from: string;
  to: string;
  cursor?: string;
}

/** One page of the change timeline, newest first; pass the previous page's `nextCursor` (and range) for the next. */
export const fetchChanges = (filters: ChangeFilters, param: ChangesPageParam) => {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  query.set("from", param.from);
  query.set("to", param.to);
  if (param.cursor) query.set("cursor", param.cursor);
  return apiFetch<ChangesPage>(`/api/v1/inventory/changes?${query}`);
};
