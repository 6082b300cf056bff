import { describe, expect, it } from "vitest";
import { approvalProgress, approverStanding, policiesCovering, type StoredPolicy } from "./approval-rules";
import type { AccessProfile } from "./policy";

const policy = (overrides: Partial<StoredPolicy> = {}): StoredPolicy => ({
  id: "p-prod",
  name: "production",
  clusterSelector: "env=prod",
  approvalsRequired: 1,
  approverTeamIds: [],
  adminsMayApprove: true,
  authorMayApprove: false,
  ...overrides,
});
const profile = (overrides: Partial<AccessProfile> = {}): AccessProfile => ({
  userId: "u-1",
  email: "u1@example.com",
  isAdmin: false,
  teamNames: [],
  memberOf: new Set(),
  maintainerOf: new Set(),
  grants: [],
  ...overrides,
});

describe("approval rules", () => {
  it("are decided over every target: one covered cluster among many is enough", () => {
    const targets = [
      { name: "dev-1", labels: { env: "dev" } },
      { name: "prod-1", labels: { env: "prod" } },
    ];
    expect(policiesCovering([policy()], targets).map((p) => p.clusters)).toEqual([["prod-1"]]);
    expect(policiesCovering([policy()], [targets[0]!])).toEqual([]);
  });

  it("a stored selector that no longer parses covers every cluster (fails closed)", () => {
    expect(policiesCovering([policy({ clusterSelector: "env in (" })], [{ name: "a", labels: {} }])).toHaveLength(1);
  });

  it("the author never approves unless every policy allows it; outsiders of the approver teams cannot", () => {
    const snapshot = policiesCovering([policy()], [{ name: "prod-1", labels: { env: "prod" } }]);
    expect(approverStanding(profile({ isAdmin: true }), snapshot, "u-1")).toMatchObject({ ok: false });
    expect(approverStanding(profile({ isAdmin: true }), snapshot, "u-2")).toEqual({ ok: true, policyIds: ["p-prod"] });
    expect(approverStanding(profile(), snapshot, "u-2")).toMatchObject({ ok: false });
    const teams = policiesCovering(
      [policy({ approverTeamIds: ["t-sre"], adminsMayApprove: false, authorMayApprove: true })],
      [{ name: "prod-1", labels: { env: "prod" } }],
    );
    expect(approverStanding(profile({ memberOf: new Set(["t-sre"]) }), teams, "u-1")).toMatchObject({ ok: true });
    expect(approverStanding(profile({ isAdmin: true }), teams, "u-2")).toMatchObject({ ok: false });
  });

  it("every policy reaches its own count with approvals given under it", () => {
    const snapshot = [
      { ...policy(), clusters: ["a"] },
      { ...policy({ id: "p-two", name: "two", approvalsRequired: 2 }), clusters: ["a"] },
    ];
    expect(approvalProgress(snapshot, [{ policyIds: ["p-prod", "p-two"] }]).satisfied).toBe(false);
    expect(approvalProgress(snapshot, [{ policyIds: ["p-prod", "p-two"] }, { policyIds: ["p-two"] }])).toEqual({
      satisfied: true,
      policies: [
        { id: "p-prod", name: "production", required: 1, approved: 1 },
        { id: "p-two", name: "two", required: 2, approved: 2 },
      ],
    });
  });
});
