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

  it("hears only the parts whose places the team sees, nothing when it sees none", () => {
    const team = profile({
      memberOf: new Set(["a"]),
      grants: [
        {
          grantId: "g",
          teamId: "a",
          teamName: "a",
          clusterIds: new Set(["c2", "c3"]),
          namespaces: ["team-a"],
          clusterScoped: false,
          level: "view",
          secrets: "none",
        },
      ],
    });
    const parts = [
      { clusterId: "c1", clusterName: "one", places: [{ namespace: "team-a" }] },
      { clusterId: "c2", clusterName: "two", places: [{ namespace: "team-a" }, { namespace: "team-b" }] },
      // On a cluster the team sees, but only in a namespace it does not: not heard.
      { clusterId: "c3", clusterName: "three", places: [{ namespace: "team-b" }] },
    ];
    const sight = { kind: "team" as const, profile: team };
    // The places themselves are never sent.
    expect(audibleParts(sight, parts)).toEqual([{ clusterId: "c2", clusterName: "two" }]);
    expect(audibleParts(sight, [parts[0]!])).toBeNull();
    // A part about the cluster as a whole (an unreachable cluster) is heard by whoever sees the cluster.
    expect(audibleParts(sight, [{ clusterId: "c3", clusterName: "three" }])).toEqual([
      { clusterId: "c3", clusterName: "three" },
    ]);
    expect(audibleParts({ kind: "fleet" }, parts)?.map((p) => p.clusterName)).toEqual(["one", "two", "three"]);
    expect(audibleParts({ kind: "nothing" }, parts)).toBeNull();
  });
});
