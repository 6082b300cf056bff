import { describe, expect, it } from "vitest";
import { projectionDiff } from "./diff";

const deployment = {
  labels: { app: "web", team: "a" },
  health: "healthy",
  ready: 3,
  desired: 3,
  detail: {
    images: ["web:1.0"],
    conditions: [{ type: "Available", status: "True" }],
  },
};

describe("projectionDiff", () => {
  it("names each changed leaf with its before and after", () => {
    const after = {
      ...deployment,
      labels: { app: "web", tier: "front" },
      health: "degraded",
      ready: 1,
      detail: { images: ["web:1.1"], conditions: [{ type: "Available", status: "False", reason: "MinimumReplicas" }] },
    };
    expect(projectionDiff(deployment, after)).toEqual({
      unreadable: [],
      diff: [
        { path: "labels.team", op: "removed", before: "a" },
        { path: "labels.tier", op: "added", after: "front" },
        { path: "health", op: "changed", before: "healthy", after: "degraded" },
        { path: "ready", op: "changed", before: 3, after: 1 },
        { path: "detail.images.0", op: "changed", before: "web:1.0", after: "web:1.1" },
        { path: "detail.conditions.0.status", op: "changed", before: "True", after: "False" },
        { path: "detail.conditions.0.reason", op: "added", after: "MinimumReplicas" },
      ],
    });
  });

  it("spreads a created object into its fields, and a deleted one likewise", () => {
    const created = projectionDiff(null, { labels: { app: "web" }, health: "progressing", detail: { keys: ["a"] } });
    expect(created.diff).toEqual([
      { path: "labels.app", op: "added", after: "web" },
      { path: "health", op: "added", after: "progressing" },
      { path: "detail.keys", op: "added", after: ["a"] },
    ]);
    const deleted = projectionDiff({ labels: {}, size: 12 }, null);
    expect(deleted.diff).toEqual([
      { path: "labels", op: "removed", before: {} },
      { path: "size", op: "removed", before: 12 },
    ]);
  });

  it("answers no entries when nothing in the projection differs", () => {
    expect(projectionDiff(deployment, structuredClone(deployment)).diff).toEqual([]);
  });

  it("leaves out every field that is not part of the projection", () => {
    const withExtras = { ...deployment, data: { password: "hunter2" }, detail: { ...deployment.detail, token: "t" } };
    const result = projectionDiff(deployment, withExtras);
    expect(result.diff).toEqual([]);
    expect(JSON.stringify(projectionDiff(null, withExtras))).not.toMatch(/hunter2|"t"|token|password/);
  });

  it("reports a side that is not a projection as unreadable instead of failing", () => {
    const result = projectionDiff("not json object", { health: "healthy" });
    expect(result.unreadable).toEqual(["before"]);
    expect(result.diff).toEqual([{ path: "health", op: "added", after: "healthy" }]);
    expect(projectionDiff({ ready: "three" }, [1, 2]).unreadable).toEqual(["before", "after"]);
  });
});
