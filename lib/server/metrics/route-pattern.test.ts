import { describe, expect, it } from "vitest";
import { routePattern, UNMATCHED_ROUTE } from "./route-pattern";

describe("routePattern", () => {
  it("puts every param back as its name, so no id reaches a label", () => {
    const id = "3f1c2a9e-8d7b-4c6a-9e1f-0a2b3c4d5e6f";
    expect(routePattern(`/api/v1/clusters/${id}/health`, { id })).toBe("/api/v1/clusters/[id]/health");
    expect(routePattern(`/api/v1/teams/${id}/members/u-1`, { id, userId: "u-1" })).toBe(
      "/api/v1/teams/[id]/members/[userId]",
    );
    expect(routePattern("/api/v1/clusters", {})).toBe("/api/v1/clusters");
  });

  it("matches encoded segments and catch-alls", () => {
    expect(routePattern("/api/v1/sso/providers/my%20idp", { id: "my idp" })).toBe("/api/v1/sso/providers/[id]");
    expect(routePattern("/api/a/b/c", { path: ["a", "b", "c"] })).toBe("/api/[...path]");
  });

  it("keeps the params' order when one value repeats", () => {
    expect(routePattern("/api/v1/teams/x/grants/x", { id: "x", grantId: "x" })).toBe(
      "/api/v1/teams/[id]/grants/[grantId]",
    );
  });

  it("answers unmatched rather than a label with raw segments when a param cannot be placed", () => {
    expect(routePattern("/api/v1/clusters/abc", { id: "other" })).toBe(UNMATCHED_ROUTE);
    expect(routePattern("/api/v1/clusters/%E0%A4%A", { id: "%E0%A4%A" })).toBe(UNMATCHED_ROUTE);
  });
});
