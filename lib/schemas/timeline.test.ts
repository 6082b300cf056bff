import { describe, expect, it } from "vitest";
import { listChangesQuerySchema, TIMELINE_DEFAULT_RANGE_MS } from "./timeline";

describe("listChangesQuerySchema", () => {
  it("resolves the default range: the hour before now, or the hour before `to`", () => {
    const before = Date.now();
    const query = listChangesQuerySchema.parse({});
    expect(query.to.getTime()).toBeGreaterThanOrEqual(before);
    expect(query.to.getTime() - query.from.getTime()).toBe(TIMELINE_DEFAULT_RANGE_MS);
    const to = "2026-12-01T12:00:00.000Z";
    expect(listChangesQuerySchema.parse({ to }).from.toISOString()).toBe("2026-12-01T11:00:00.000Z");
  });

  it("reads comma-separated clusters and change types, trimmed, and lower-cases the name search", () => {
    const query = listChangesQuerySchema.parse({ clusters: " dev, ,prod ", change: "health,deleted", q: " Web " });
    expect(query.clusters).toEqual(["dev", "prod"]);
    expect(query.change).toEqual(["health", "deleted"]);
    expect(query.q).toBe("web");
  });

  it("accepts exactly seven days and refuses a millisecond more, on `from`", () => {
    const to = "2026-12-08T00:00:00.000Z";
    expect(listChangesQuerySchema.safeParse({ from: "2026-12-01T00:00:00.000Z", to }).success).toBe(true);
    const longer = listChangesQuerySchema.safeParse({ from: "2026-11-30T23:59:59.999Z", to });
    expect(longer.success).toBe(false);
    expect(longer.error?.issues.map((issue) => issue.path)).toEqual([["from"]]);
  });

  it("accepts an empty range (from = to) and refuses an inverted one on `to`", () => {
    const at = "2026-12-01T00:00:00.000Z";
    expect(listChangesQuerySchema.safeParse({ from: at, to: at }).success).toBe(true);
    const inverted = listChangesQuerySchema.safeParse({ from: at, to: "2026-11-30T00:00:00.000Z" });
    expect(inverted.error?.issues.map((issue) => issue.path)).toEqual([["to"]]);
  });
});
