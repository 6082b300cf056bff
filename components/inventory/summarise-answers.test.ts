import { describe, expect, it } from "vitest";
import type { ClusterResult } from "@/lib/api/inventory-types";
import { summariseAnswers } from "./summarise-answers";

const answer = (name: string, state: ClusterResult["state"]): ClusterResult => ({
  id: name,
  name,
  state,
  count: 0,
  waitedMs: 0,
  listMs: null,
  syncedAt: null,
  error: null,
  retryAt: null,
  note: null,
});

describe("summariseAnswers", () => {
  it("counts by state, names the problems in natural order, and folds the rest at fleet size", () => {
    const clusters = Array.from({ length: 100 }, (_, i) => answer(`a${i + 1}`, "ok"));
    clusters[9] = answer("a10", "unreachable");
    clusters[1] = answer("a2", "stale");
    const summary = summariseAnswers(clusters);
    expect(summary.counts).toEqual([
      { state: "ok", count: 98 },
      { state: "stale", count: 1 },
      { state: "unreachable", count: 1 },
    ]);
    expect(summary.problems.map((c) => c.name)).toEqual(["a2", "a10"]);
    expect(summary.all.slice(0, 3).map((c) => c.name)).toEqual(["a1", "a2", "a3"]);
    expect(summary.listAll).toBe(false);
  });
  it("lists every answer for a small fleet", () => {
    expect(summariseAnswers([answer("b", "ok"), answer("a", "ok")]).listAll).toBe(true);
  });
});
