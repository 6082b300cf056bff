import type { ClusterResult } from "@/lib/api/inventory-types";
import { compareNatural } from "@/lib/format/natural-sort";

/** Up to this many clusters every answer is shown; beyond it, a summary (the first screen is for objects). */
export const LIST_ALL_UP_TO = 10;

export interface AnswerSummary {
  counts: Array<{ state: ClusterResult["state"]; count: number }>;
  /** Clusters that did not answer fully (anything but ok), named, in natural order. */
  problems: ClusterResult[];
  /** Every cluster in natural order, for the disclosure. */
  all: ClusterResult[];
  listAll: boolean;
}

const ORDER: ClusterResult["state"][] = ["ok", "stale", "timed_out", "unreachable", "forbidden"];

export function summariseAnswers(clusters: ClusterResult[]): AnswerSummary {
  const all = [...clusters].sort((a, b) => compareNatural(a.name, b.name));
  const counts = ORDER.map((state) => ({ state, count: all.filter((c) => c.state === state).length })).filter(
    (entry) => entry.count > 0,
  );
  return { counts, problems: all.filter((c) => c.state !== "ok"), all, listAll: all.length <= LIST_ALL_UP_TO };
}
