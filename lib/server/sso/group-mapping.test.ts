import { describe, expect, it } from "vitest";
import { desiredAccess, groupsFrom, readClaim } from "./group-mapping";

const mappings = [
  { group: "payments", teamId: "t-pay", role: "member" as const, admin: false },
  { group: "payments-leads", teamId: "t-pay", role: "maintainer" as const, admin: false },
  { group: "search", teamId: "t-search", role: "member" as const, admin: false },
  { group: "platform-admins", teamId: null, role: null, admin: true },
];

describe("desiredAccess", () => {
  it("maps groups to teams, maintainer winning over member, and ignores unmapped groups", () => {
    const result = desiredAccess(["payments-leads", "payments", "unrelated"], mappings);
    expect([...result.teams]).toEqual([["t-pay", "maintainer"]]);
    expect(result.isAdmin).toBe(false);
  });
  it("gives admin only through an admin mapping, and nothing for no groups", () => {
    expect(desiredAccess(["platform-admins"], mappings).isAdmin).toBe(true);
    const none = desiredAccess([], mappings);
    expect(none.teams.size).toBe(0);
    expect(none.isAdmin).toBe(false);
  });
  it("matches group names exactly", () => {
    expect(desiredAccess(["Payments", "payments "], mappings).teams.size).toBe(0);
  });
});

describe("claims", () => {
  it("reads nested claims and normalises group values", () => {
    expect(readClaim({ realm_access: { roles: ["a"] } }, "realm_access.roles")).toEqual(["a"]);
    expect(readClaim({ "a.b": 1 }, "a.b")).toBe(1);
    expect(groupsFrom("ops")).toEqual(["ops"]);
    expect(groupsFrom(["a", "a", 3, "", "b"])).toEqual(["a", "b"]);
    expect(groupsFrom(undefined)).toEqual([]);
  });
});
