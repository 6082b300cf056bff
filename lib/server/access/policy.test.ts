import { describe, expect, it } from "vitest";
import {
  allows,
  canSeeCluster,
  canSeeNamespace,
  namespacePatterns,
  secretAccessFor,
  visibleClusterIds,
  type AccessProfile,
  type ResolvedGrant,
} from "./policy";

const grant = (overrides: Partial<ResolvedGrant>): ResolvedGrant => ({
  grantId: "g",
  teamId: "t",
  teamName: "alpha",
  clusterIds: new Set(["a"]),
  namespaces: ["payments-*"],
  clusterScoped: false,
  level: "view",
  secrets: "none",
  ...overrides,
});

const profile = (grants: ResolvedGrant[], isAdmin = false): AccessProfile => ({
  userId: "u",
  email: "u@example.com",
  isAdmin,
  teamNames: ["alpha"],
  memberOf: new Set(["t"]),
  maintainerOf: new Set(),
  grants,
});

describe("access policy", () => {
  const viewer = profile([grant({})]);
  const deployer = profile([
    grant({ level: "deploy", secrets: "metadata" }),
    grant({ clusterIds: new Set(["b"]), namespaces: ["*"], level: "view" }),
  ]);
  const manager = profile([grant({ level: "manage", clusterScoped: true, secrets: "reveal" })]);

  it("levels are ordered view < deploy < manage", () => {
    expect(allows(viewer, { clusterId: "a", namespace: "payments-eu", level: "view" })).toBe(true);
    expect(allows(viewer, { clusterId: "a", namespace: "payments-eu", level: "deploy" })).toBe(false);
    expect(allows(deployer, { clusterId: "a", namespace: "payments-eu", level: "view" })).toBe(true);
    expect(allows(manager, { clusterId: "a", namespace: "payments-eu", level: "deploy" })).toBe(true);
  });

  it("namespaces must match a pattern of a grant on that cluster", () => {
    expect(allows(viewer, { clusterId: "a", namespace: "checkout", level: "view" })).toBe(false);
    expect(allows(viewer, { clusterId: "b", namespace: "payments-eu", level: "view" })).toBe(false);
    expect(canSeeNamespace(deployer, "b", "anything")).toBe(true);
  });

  it("cluster-scoped objects need a grant that says so", () => {
    expect(allows(viewer, { clusterId: "a", namespace: null, level: "view" })).toBe(false);
    expect(allows(manager, { clusterId: "a", namespace: null, level: "manage" })).toBe(true);
  });

  it("secret access is none < metadata < reveal, per namespace", () => {
    expect(allows(viewer, { clusterId: "a", namespace: "payments-eu", level: "view", secrets: "metadata" })).toBe(
      false,
    );
    expect(allows(deployer, { clusterId: "a", namespace: "payments-eu", level: "view", secrets: "metadata" })).toBe(
      true,
    );
    expect(allows(deployer, { clusterId: "a", namespace: "payments-eu", level: "view", secrets: "reveal" })).toBe(
      false,
    );
    expect(secretAccessFor(manager, "a", "payments-1")).toBe("reveal");
    expect(secretAccessFor(deployer, "b", "x")).toBe("none");
  });

  it("access is the union of grants; admins see everything", () => {
    expect(visibleClusterIds(deployer)).toEqual(new Set(["a", "b"]));
    expect(canSeeCluster(viewer, "b")).toBe(false);
    const admin = profile([], true);
    expect(visibleClusterIds(admin)).toBe("all");
    expect(allows(admin, { clusterId: "zzz", namespace: null, level: "manage", secrets: "reveal" })).toBe(true);
    expect(namespacePatterns(admin, "a")).toEqual(["*"]);
    expect(namespacePatterns(deployer, "a", "deploy")).toEqual(["payments-*"]);
  });
});
