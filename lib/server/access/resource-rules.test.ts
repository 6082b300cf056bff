import { describe, expect, it } from "vitest";
import { placementOf, placementProblems } from "./placement";
import type { AccessProfile, ResolvedGrant } from "./policy";
import { decide, type Coverage, type ResourceAction } from "./resource-rules";

const grant = (overrides: Partial<ResolvedGrant>): ResolvedGrant => ({
  grantId: "g",
  teamId: "team-a",
  teamName: "team-a",
  clusterIds: new Set(["dev"]),
  namespaces: ["team-a*"],
  clusterScoped: false,
  level: "deploy",
  secrets: "none",
  ...overrides,
});

const person = (grants: ResolvedGrant[], teams = ["team-a"], isAdmin = false): AccessProfile => ({
  userId: "u",
  email: "u@example.com",
  isAdmin,
  teamNames: teams,
  memberOf: new Set(teams),
  maintainerOf: new Set(),
  grants,
});

const deployer = person([grant({})]);
const viewer = person([grant({ level: "view" })]);
const admin = person([], [], true);
const loner = person([], []);

const devOnly: Coverage = { teamId: "team-a", places: [{ clusterId: "dev", namespace: "team-a", level: "deploy" }] };
const devAndProd: Coverage = {
  teamId: null,
  places: [
    { clusterId: "dev", namespace: "team-a", level: "deploy" },
    { clusterId: "prod", namespace: "team-a", level: "deploy" },
  ],
};
const devOtherNamespace: Coverage = {
  teamId: null,
  places: [{ clusterId: "dev", namespace: "platform", level: "deploy" }],
};
const devClusterScoped: Coverage = {
  teamId: "team-a",
  places: [{ clusterId: "dev", namespace: null, level: "manage" }],
};
const legacyUnknownScope: Coverage = {
  teamId: "team-a",
  places: [{ clusterId: "dev", namespace: undefined, level: "deploy" }],
};
const otherTeamsRelease: Coverage = { ...devOnly, teamId: "team-b" };
const sourceDev: Coverage = { teamId: null, places: [{ clusterId: "dev", namespace: "team-a", level: "view" }] };
const sourcePlatform: Coverage = { teamId: null, places: [{ clusterId: "dev", namespace: "platform", level: "view" }] };

describe("resource rules", () => {
  const cases: Array<[string, AccessProfile, ResourceAction, Coverage, ReturnType<typeof decide>]> = [
    ["deployer steers what lies wholly in their grant", deployer, "rollout.pause", devOnly, "allowed"],
    ["deployer reads a rollout that also covers prod", deployer, "rollout.read", devAndProd, "allowed"],
    // One owner per object: taking objects over from a release needs steering all of it, another team's too.
    [
      "deployer takes over from a release wholly in their grant",
      deployer,
      "release.take-over",
      otherTeamsRelease,
      "allowed",
    ],
    [
      "deployer may not take over from a release that also covers prod",
      deployer,
      "release.take-over",
      devAndProd,
      "forbidden",
    ],
    ["viewer may not take over", viewer, "release.take-over", devOnly, "forbidden"],
    // No guessing oracle: comparing a Secret's live value with the one to be written needs reveal there.
    ["deployer without reveal may not compare secret values", deployer, "secret-value.compare", sourceDev, "forbidden"],
    [
      "revealer may compare secret values",
      person([grant({ secrets: "reveal" })]),
      "secret-value.compare",
      sourceDev,
      "allowed",
    ],
    ["…but may not steer it", deployer, "rollout.abort", devAndProd, "forbidden"],
    ["…nor heal a release covering prod", deployer, "release.heal", devAndProd, "forbidden"],
    ["a namespace outside the grant is invisible", deployer, "release.read", devOtherNamespace, "hidden"],
    ["…and so is steering it", deployer, "release.drift-check", devOtherNamespace, "hidden"],
    ["a viewer reads", viewer, "release.read", devOnly, "allowed"],
    [
      "a viewer may not run a drift check (it calls clusters and writes state)",
      viewer,
      "release.drift-check",
      devOnly,
      "forbidden",
    ],
    [
      "cluster-scoped objects are seen only with cluster-scoped access",
      deployer,
      "release.read",
      devClusterScoped,
      "hidden",
    ],
    [
      "a release with a cluster-scoped object needs manage with cluster-scoped access to steer",
      deployer,
      "release.heal",
      { ...devClusterScoped, places: [...devOnly.places, ...devClusterScoped.places] },
      "forbidden",
    ],
    [
      "manage with cluster-scoped access steers them",
      person([grant({ level: "manage", clusterScoped: true })]),
      "release.heal",
      devClusterScoped,
      "allowed",
    ],
    ["unknown scope is steered by admins only", deployer, "rollout.pause", legacyUnknownScope, "forbidden"],
    ["…but still read by whoever sees the cluster", deployer, "rollout.read", legacyUnknownScope, "allowed"],
    ["adding a rollout needs the release's team", deployer, "release.add-rollout", otherTeamsRelease, "forbidden"],
    ["rollback likewise", deployer, "release.rollback", otherTeamsRelease, "forbidden"],
    ["own team's release", deployer, "release.rollback", devOnly, "allowed"],
    ["admins do everything", admin, "release.heal", devAndProd, "allowed"],
    ["another team's template is invisible", deployer, "template.read", { teamId: "team-b", places: [] }, "hidden"],
    ["global templates are read by team members", deployer, "template.use", { teamId: null, places: [] }, "allowed"],
    ["…not by a user in no team", loner, "template.read", { teamId: null, places: [] }, "hidden"],
    [
      "global templates are written by admins only",
      deployer,
      "template.write",
      { teamId: null, places: [] },
      "forbidden",
    ],
    [
      "own team's template is written with deploy somewhere",
      deployer,
      "template.write",
      { teamId: "team-a", places: [] },
      "allowed",
    ],
    ["…not with view only", viewer, "template.write", { teamId: "team-a", places: [] }, "forbidden"],
    ["nothing covered: nothing to see", deployer, "rollout.read", { teamId: "team-a", places: [] }, "hidden"],
    [
      "a deployer sets a secret parameter on targets wholly in their grant",
      deployer,
      "secret-param.set",
      devOnly,
      "allowed",
    ],
    ["…not when one target lies outside deploy", deployer, "secret-param.set", devAndProd, "forbidden"],
    ["…nor as a viewer", viewer, "secret-param.set", devOnly, "forbidden"],
    [
      "a secret reference needs reveal on its source",
      person([grant({ secrets: "reveal" })]),
      "secret-ref.use",
      sourceDev,
      "allowed",
    ],
    ["…metadata is not enough", person([grant({ secrets: "metadata" })]), "secret-ref.use", sourceDev, "forbidden"],
    ["…nor is deploy without secrets access", deployer, "secret-ref.use", sourceDev, "forbidden"],
    [
      "…a source namespace outside every grant answers like a missing one",
      deployer,
      "secret-ref.use",
      sourcePlatform,
      "hidden",
    ],
    [
      "…reveal granted on another namespace does not reach it",
      person([grant({ secrets: "reveal" }), grant({ namespaces: ["platform"], level: "view" })]),
      "secret-ref.use",
      sourcePlatform,
      "forbidden",
    ],
    ["…admins may", admin, "secret-ref.use", sourcePlatform, "allowed"],
  ];
  it.each(cases)("%s", (_name, profile, action, coverage, expected) => {
    expect(decide(profile, action, coverage)).toBe(expected);
  });

  it("the author is not special: being the creator grants nothing (decisions take no author)", () => {
    // decide() has no author parameter by design; this guards the signature.
    expect(decide.length).toBe(3);
  });
});

describe("placement", () => {
  it("takes scope from the discovery answer, whatever the kind", () => {
    expect(placementOf({ apiVersion: "example.dev/v1", namespace: null }, false)).toEqual({
      namespace: null,
      level: "manage",
    });
    expect(placementOf({ apiVersion: "v1", namespace: "team-a" }, true)).toEqual({
      namespace: "team-a",
      level: "deploy",
    });
    expect(placementOf({ apiVersion: "rbac.authorization.k8s.io/v1", namespace: "team-a" }, true)).toEqual({
      namespace: "team-a",
      level: "manage",
    });
  });

  it("refuses what discovery does not know, and names the namespace problems", () => {
    const objects = [
      { apiVersion: "resource.k8s.io/v1", kind: "DeviceClass", metadata: { name: "gpu" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "d", namespace: "platform" } },
      { apiVersion: "unknown.dev/v1", kind: "Phantom", metadata: { name: "p", namespace: "team-a" } },
    ];
    const namespaced = new Map<string, boolean | null>([
      ["resource.k8s.io/v1|DeviceClass", false],
      ["v1|ConfigMap", true],
      ["unknown.dev/v1|Phantom", null],
    ]);
    const { problems } = placementProblems(deployer, "dev", objects, namespaced);
    expect(problems).toEqual([
      'DeviceClass gpu: cluster-scoped objects need "manage" with cluster-scoped access',
      "ConfigMap c: metadata.namespace is required (namespaced objects must say where they go)",
      "ConfigMap d: you may not deploy to namespace platform",
      "Phantom p: the cluster does not serve Phantom in unknown.dev/v1",
    ]);
    expect(placementProblems(admin, "dev", objects.slice(0, 1), namespaced).problems).toEqual([]);
  });
});
