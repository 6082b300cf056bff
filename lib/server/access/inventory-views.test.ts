import { describe, expect, it } from "vitest";
import { decideInventoryViewDelete, decideInventoryViewRead, mayShareInventoryViewWith } from "./inventory-views";
import type { AccessProfile } from "./policy";

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

describe("saved inventory view rules", () => {
  const owner = profile({ userId: "owner", memberOf: new Set(["a"]) });
  const teammate = profile({ userId: "mate", memberOf: new Set(["a"]) });
  const outsider = profile({ userId: "out", memberOf: new Set(["b"]) });
  const admin = profile({ userId: "root", isAdmin: true });
  const personal = { ownerId: "owner", teamId: null };
  const shared = { ownerId: "owner", teamId: "a" };

  it("reads: the owner, and the shared team's members; nobody else, admins included", () => {
    expect(decideInventoryViewRead(owner, personal)).toBe("allowed");
    expect(decideInventoryViewRead(teammate, personal)).toBe("hidden");
    expect(decideInventoryViewRead(teammate, shared)).toBe("allowed");
    expect(decideInventoryViewRead(outsider, shared)).toBe("hidden");
    expect(decideInventoryViewRead(admin, shared)).toBe("hidden");
  });

  it("deletes: the owner only; a teammate who reads it is refused, others do not see it", () => {
    expect(decideInventoryViewDelete(owner, shared)).toBe("allowed");
    expect(decideInventoryViewDelete(teammate, shared)).toBe("forbidden");
    expect(decideInventoryViewDelete(outsider, shared)).toBe("hidden");
    expect(decideInventoryViewDelete(admin, personal)).toBe("hidden");
  });

  it("shares only with a team the owner belongs to", () => {
    expect(mayShareInventoryViewWith(owner, "a")).toBe(true);
    expect(mayShareInventoryViewWith(owner, "b")).toBe(false);
    expect(mayShareInventoryViewWith(admin, "a")).toBe(false);
  });
});
