import { describe, expect, it } from "vitest";
import type { AccessProfile } from "./policy";
import { audibleParts, decideSubscriptionManage, decideSubscriptionRead } from "./subscriber";

const profile = (over: Partial<AccessProfile>): AccessProfile => ({
  userId: "u",
  email: "u@example.com",
  isAdmin: false,
  teamNames: [],
  memberOf: new Set(),
  maintainerOf: new Set(),
  grants: [],
  ...over,
});

describe("subscriber rules", () => {
  const member = profile({ memberOf: new Set(["a"]) });
  const maintainer = profile({ memberOf: new Set(["a"]), maintainerOf: new Set(["a"]) });
  const admin = profile({ isAdmin: true });

  it("reads: team members and admins; others and admin subscriptions are hidden", () => {
    expect(decideSubscriptionRead(member, { teamId: "a" })).toBe("allowed");
    expect(decideSubscriptionRead(member, { teamId: "b" })).toBe("hidden");
    expect(decideSubscriptionRead(member, { teamId: null })).toBe("hidden");
    expect(decideSubscriptionRead(admin, { teamId: null })).toBe("allowed");
  });

  it("manages: maintainers and admins; a member is forbidden, an outsider sees nothing", () => {
    expect(decideSubscriptionManage(member, { teamId: "a" })).toBe("forbidden");
    expect(decideSubscriptionManage(maintainer, { teamId: "a" })).toBe("allowed");
    expect(decideSubscriptionManage(maintainer, { teamId: "b" })).toBe("hidden");
    expect(decideSubscriptionManage(maintainer, { teamId: null })).toBe("hidden");
    expect(decideSubscriptionManage(admin, { teamId: "b" })).toBe("allowed");
  });

  it("hears only visible clusters' parts, nothing when it sees none", () => {
    const parts = [
      { clusterId: "c1", clusterName: "one" },
      { clusterId: "c2", clusterName: "two" },
    ];
    expect(audibleParts({ kind: "clusters", clusterIds: new Set(["c2"]) }, parts)).toEqual([parts[1]]);
    expect(audibleParts({ kind: "clusters", clusterIds: new Set(["c3"]) }, parts)).toBeNull();
    expect(audibleParts({ kind: "fleet" }, parts)).toEqual(parts);
    expect(audibleParts({ kind: "nothing" }, parts)).toBeNull();
  });
});
