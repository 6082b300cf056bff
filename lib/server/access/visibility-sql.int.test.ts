import { describe, expect, it } from "vitest";
import { db } from "@/lib/server/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { seesReleaseEntry, seesTarget } from "./coverage";
import type { AccessProfile, ResolvedGrant } from "./policy";
import { seesIndexedObject } from "./policy";
import { globToLike, indexedObjectVisibleSql, releaseEntryVisibleSql, targetVisibleSql } from "./visibility-sql";

/**
 * The SQL visibility predicates must give exactly the verdicts of the TypeScript rule
 * (`seesPlace`, through `seesTarget` / `seesReleaseEntry`), over every profile × row below,
 * evaluated by real Postgres.
 */

const DEV = "00000000-0000-4000-8000-0000000000d1";
const PROD = "00000000-0000-4000-8000-0000000000d2";
const EDGE = "00000000-0000-4000-8000-0000000000d3";

const grant = (overrides: Partial<ResolvedGrant>): ResolvedGrant => ({
  grantId: "g",
  teamId: "t",
  teamName: "t",
  clusterIds: new Set([DEV]),
  namespaces: ["team-a*"],
  clusterScoped: false,
  level: "view",
  secrets: "none",
  ...overrides,
});

const person = (grants: ResolvedGrant[], isAdmin = false): AccessProfile => ({
  userId: "u",
  email: "u@example.com",
  isAdmin,
  teamNames: [],
  memberOf: new Set(),
  maintainerOf: new Set(),
  grants,
});

const PROFILES: Record<string, AccessProfile> = {
  admin: person([], true),
  nobody: person([]),
  "team-a* on dev": person([grant({})]),
  "exact team-b on dev and prod": person([grant({ clusterIds: new Set([DEV, PROD]), namespaces: ["team-b"] })]),
  "* on prod, cluster-scoped": person([grant({ clusterIds: new Set([PROD]), namespaces: ["*"], clusterScoped: true })]),
  "cluster only (no namespaces) on edge": person([grant({ clusterIds: new Set([EDGE]), namespaces: [] })]),
  "? and suffix globs on dev": person([grant({ namespaces: ["?-prod", "*-x"] })]),
  "two grants folded on dev": person([
    grant({ namespaces: ["alpha"] }),
    grant({ namespaces: [], clusterScoped: true, level: "manage" }),
  ]),
  "grant on no cluster": person([grant({ clusterIds: new Set(), namespaces: ["*"], clusterScoped: true })]),
  "secret metadata on team-b of dev, none on team-a*": person([
    grant({ namespaces: ["team-b"], secrets: "metadata" }),
    grant({ namespaces: ["team-a*"], secrets: "none" }),
  ]),
  "reveal on * of prod, cluster-scoped": person([
    grant({ clusterIds: new Set([PROD]), namespaces: ["*"], clusterScoped: true, secrets: "reveal" }),
  ]),
};

const scope = (...namespaces: Array<string | null>) => namespaces.map((namespace) => ({ namespace, level: "deploy" }));
const refs = (...namespaces: Array<string | null>) =>
  namespaces.map((namespace, i) => ({ apiVersion: "v1", kind: "ConfigMap", namespace, name: `o${i}` }));

const SCOPES: unknown[] = [
  [],
  scope("team-a"),
  scope("team-a-web"),
  scope("team-b"),
  scope("team-bb"),
  scope("xteam-a"),
  scope(null),
  scope("platform", null),
  scope("platform", "team-a1"),
  scope("a-prod"),
  scope("ab-prod"),
  scope("web-x"),
  scope("alpha"),
  scope("team_a"),
  scope("team%"),
  // Not a well-formed scope: read as covering the whole cluster.
  null,
  { namespace: "team-a" },
  "team-a",
  [{ namespace: "platform" }],
  [{ namespace: 5, level: "deploy" }],
  [{ namespace: "platform", level: "owner" }],
  [...scope("platform"), "junk"],
];

const OBJECTS: unknown[] = [
  [],
  refs("team-a"),
  refs("platform"),
  refs(null),
  refs("platform", "team-b"),
  refs("web-x"),
  null,
  { kind: "x" },
  [{ apiVersion: "v1", kind: "ConfigMap", namespace: "platform" }],
  [{ apiVersion: "v1", kind: "ConfigMap", name: "n", namespace: 1 }],
];

async function sqlVerdict(predicate: Prisma.Sql, clusterId: string, column: "scope" | "objects", value: unknown) {
  const rows = await db().$queryRaw<Array<{ visible: boolean }>>`
    SELECT ${predicate} AS visible
    FROM (SELECT ${clusterId}::uuid AS cluster_id, ${JSON.stringify(value)}::jsonb AS ${Prisma.raw(column)}) AS x`;
  return rows[0]!.visible;
}

/** Index rows (an inventory object or a timeline entry): cluster × namespace × kind. */
const INDEXED = [DEV, PROD, EDGE].flatMap((clusterId) =>
  ["team-a", "team-a-web", "team-b", "team_a", "a-prod", "alpha", "platform", ""].flatMap((namespace) =>
    ["configmaps", "deployments", "secrets"].map((kind) => ({ clusterId, namespace, kind })),
  ),
);

describe("SQL visibility predicates agree with seesPlace", () => {
  it("globs become LIKE patterns with LIKE's own characters escaped", () => {
    expect(globToLike("team-a*")).toBe("team-a%");
    expect(globToLike("?-prod")).toBe("_-prod");
    expect(globToLike("a_b%c\\")).toBe("a\\_b\\%c\\\\");
  });

  for (const [name, profile] of Object.entries(PROFILES)) {
    it(`targets, as ${name}`, async () => {
      const mismatches: string[] = [];
      let visible = 0;
      for (const clusterId of [DEV, PROD, EDGE])
        for (const value of SCOPES) {
          const expected = seesTarget(profile, { clusterId, scope: value });
          const actual = await sqlVerdict(targetVisibleSql(profile, "x"), clusterId, "scope", value);
          if (actual !== expected)
            mismatches.push(`${clusterId} ${JSON.stringify(value)}: sql ${actual}, ts ${expected}`);
          if (expected) visible += 1;
        }
      expect(mismatches).toEqual([]);
      // The table exercises both verdicts for every profile that can see anything.
      if (name !== "nobody" && name !== "grant on no cluster") expect(visible).toBeGreaterThan(0);
    });

    it(`release cluster entries, as ${name}`, async () => {
      const mismatches: string[] = [];
      for (const clusterId of [DEV, PROD, EDGE])
        for (const value of OBJECTS) {
          const expected = seesReleaseEntry(profile, { clusterId, objects: value });
          const actual = await sqlVerdict(releaseEntryVisibleSql(profile, "x"), clusterId, "objects", value);
          if (actual !== expected)
            mismatches.push(`${clusterId} ${JSON.stringify(value)}: sql ${actual}, ts ${expected}`);
        }
      expect(mismatches).toEqual([]);
    });

    it(`index rows (inventory objects, timeline entries), as ${name}`, async () => {
      const rows = await db().$queryRaw<Array<{ i: number; visible: boolean }>>`
        SELECT x.i, ${indexedObjectVisibleSql(profile, "x")} AS visible
        FROM jsonb_to_recordset(${JSON.stringify(INDEXED.map((row, i) => ({ ...row, i })))}::jsonb)
          AS r(i int, "clusterId" uuid, namespace text, kind text),
        LATERAL (SELECT r.i, r."clusterId" AS cluster_id, r.namespace, r.kind) AS x
        ORDER BY x.i`;
      const mismatches = rows
        .filter((row) => row.visible !== seesIndexedObject(profile, INDEXED[row.i]!))
        .map((row) => `${JSON.stringify(INDEXED[row.i])}: sql ${row.visible}`);
      expect(rows).toHaveLength(INDEXED.length);
      expect(mismatches).toEqual([]);
      // Both verdicts occur for every profile that sees some namespace (all of them for admins).
      const seen = rows.filter((row) => row.visible).length;
      if (!["nobody", "grant on no cluster", "cluster only (no namespaces) on edge"].includes(name))
        expect(seen).toBeGreaterThan(0);
      if (name !== "admin") expect(seen).toBeLessThan(rows.length);
    });
  }
});
