import { describe, expect, it } from "vitest";
import { planWaves } from "./plan";

const ids = ["a", "b", "c", "d", "e"];

describe("planWaves", () => {
  it("puts everything in one wave for all-at-once", () => {
    expect(planWaves(ids, { kind: "all" })).toEqual([ids]);
  });

  it("runs canaries first, then batches", () => {
    expect(planWaves(ids, { kind: "waves", batchSize: 2, canaryClusterIds: ["c"], bakeSeconds: 0 })).toEqual([
      ["c"],
      ["a", "b"],
      ["d", "e"],
    ]);
  });

  it("batches by percentage of the remaining clusters, at least one per wave", () => {
    expect(planWaves(ids, { kind: "waves", batchPercent: 40, canaryClusterIds: [], bakeSeconds: 0 })).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e"],
    ]);
    expect(planWaves(["a", "b"], { kind: "waves", batchPercent: 1, canaryClusterIds: [], bakeSeconds: 0 })).toEqual([
      ["a"],
      ["b"],
    ]);
  });
});
