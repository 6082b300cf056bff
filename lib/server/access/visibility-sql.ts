import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { secretsAtLeast, type AccessProfile } from "./policy";

/**
 * The `see` rule of resource-rules.ts (`seesPlace`), as SQL predicates, so lists can filter,
 * count and page in the database instead of loading every candidate. One home for the rule:
 * the TypeScript decision stays the reference, and visibility-sql.int.test.ts runs both over
 * a table of cases and demands the same verdicts.
 *
 * The caller's grants are folded per cluster: a cluster is visible when some grant covers
 * it; a namespace on it when it matches one of the namespace patterns of the grants covering
 * it (glob `*` → `%`, `?` → `_`, LIKE's own `%`, `_` and `\` escaped); cluster-scoped
 * objects (namespace null) when one of those grants has `clusterScoped`. That fold is exact:
 * "some grant covers the cluster and the namespace" is "the namespace matches the union of
 * the patterns of the grants on the cluster". It travels as one JSON parameter, so the
 * statement's size does not grow with the fleet.
 *
 * Places are stored as JSON arrays (a target's `scope`, a release cluster's `objects`). A
 * column that is not a non-empty array of well-formed elements covers its whole cluster,
 * exactly as `placesOfTarget` / `seesEntry` read it (a failed parse, or nothing recorded).
 */

interface ClusterAccess {
  cluster_id: string;
  patterns: string[];
  cluster_scoped: boolean;
  /** Patterns of the grants on the cluster that give at least `metadata` secret access. */
  secret_patterns: string[];
}

/** A namespace glob (`team-a*`, `?-prod`, `*`, an exact name) as a LIKE pattern with the default escape `\`. */
export function globToLike(glob: string): string {
  return glob
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, "%")
    .replace(/\?/g, "_");
}

function accessByCluster(profile: AccessProfile): ClusterAccess[] {
  const byCluster = new Map<string, { patterns: Set<string>; secretPatterns: Set<string>; clusterScoped: boolean }>();
  for (const grant of profile.grants) {
    for (const clusterId of grant.clusterIds) {
      const entry = byCluster.get(clusterId) ?? {
        patterns: new Set<string>(),
        secretPatterns: new Set<string>(),
        clusterScoped: false,
      };
      for (const pattern of grant.namespaces) entry.patterns.add(globToLike(pattern));
      if (secretsAtLeast(grant.secrets, "metadata"))
        for (const pattern of grant.namespaces) entry.secretPatterns.add(globToLike(pattern));
      entry.clusterScoped ||= grant.clusterScoped;
      byCluster.set(clusterId, entry);
    }
  }
  return [...byCluster].map(([clusterId, entry]) => ({
    cluster_id: clusterId,
    patterns: [...entry.patterns],
    cluster_scoped: entry.clusterScoped,
    secret_patterns: [...entry.secretPatterns],
  }));
}

/** What a well-formed element of each JSON place column looks like (the zod schemas in coverage.ts, in SQL). */
const TARGET_SCOPE_ELEMENT = Prisma.sql`jsonb_typeof(e) = 'object'
  AND coalesce(jsonb_typeof(e->'namespace'), 'missing') IN ('string', 'null')
  AND coalesce(jsonb_typeof(e->'level'), 'missing') = 'string'
  AND e->>'level' IN ('view', 'deploy', 'manage')`;
const APPLIED_REF_ELEMENT = Prisma.sql`jsonb_typeof(e) = 'object'
  AND coalesce(jsonb_typeof(e->'namespace'), 'missing') IN ('string', 'null')
  AND coalesce(jsonb_typeof(e->'apiVersion'), 'missing') = 'string'
  AND coalesce(jsonb_typeof(e->'kind'), 'missing') = 'string'
  AND coalesce(jsonb_typeof(e->'name'), 'missing') = 'string'`;

/**
 * Is one row of places (a cluster id column and a JSON array column) visible? `valid`
 * describes a well-formed element `e`. Used for targets and release cluster entries alike.
 */
function placesVisible(
  access: ClusterAccess[],
  clusterColumn: Prisma.Sql,
  placesColumn: Prisma.Sql,
  valid: Prisma.Sql,
): Prisma.Sql {
  if (access.length === 0) return Prisma.sql`FALSE`;
  const places = Prisma.sql`(CASE WHEN jsonb_typeof(${placesColumn}) = 'array' THEN ${placesColumn} END)`;
  return Prisma.sql`EXISTS (
    SELECT 1 FROM jsonb_to_recordset(${JSON.stringify(access)}::jsonb)
      AS a(cluster_id text, patterns text[], cluster_scoped boolean)
    WHERE a.cluster_id = (${clusterColumn})::text
      AND (
        coalesce(jsonb_array_length(${places}), 0) = 0
        OR EXISTS (SELECT 1 FROM jsonb_array_elements(${places}) AS e WHERE NOT (${valid}))
        OR EXISTS (
          SELECT 1 FROM jsonb_array_elements(${places}) AS e
          WHERE CASE
            WHEN jsonb_typeof(e->'namespace') = 'null' THEN a.cluster_scoped
            ELSE (e->>'namespace') LIKE ANY (a.patterns)
          END
        )
      )
  )`;
}

/** A rollout target row (alias with `cluster_id` and `scope`) the caller sees some place of. */
export function targetVisibleSql(profile: AccessProfile, target: string): Prisma.Sql {
  if (profile.isAdmin) return Prisma.sql`TRUE`;
  const alias = Prisma.raw(target);
  return placesVisible(
    accessByCluster(profile),
    Prisma.sql`${alias}.cluster_id`,
    Prisma.sql`${alias}.scope`,
    TARGET_SCOPE_ELEMENT,
  );
}

/** A release cluster entry (alias with `cluster_id` and `objects`); nothing applied yet: whoever sees the cluster. */
export function releaseEntryVisibleSql(profile: AccessProfile, entry: string): Prisma.Sql {
  if (profile.isAdmin) return Prisma.sql`TRUE`;
  const alias = Prisma.raw(entry);
  return placesVisible(
    accessByCluster(profile),
    Prisma.sql`${alias}.cluster_id`,
    Prisma.sql`${alias}.objects`,
    APPLIED_REF_ELEMENT,
  );
}

/** Rule `rollout.read` for listing: one of the rollout's targets is visible. Admins: every rollout. */
export function rolloutVisibleSql(profile: AccessProfile, rollout: string): Prisma.Sql {
  if (profile.isAdmin) return Prisma.sql`TRUE`;
  return Prisma.sql`EXISTS (
    SELECT 1 FROM rollout_targets vt
    WHERE vt.rollout_id = ${Prisma.raw(rollout)}.id AND ${targetVisibleSql(profile, "vt")}
  )`;
}

/** Rule `release.read` for listing: one of its cluster entries, or one of its rollouts' targets, is visible. */
export function releaseVisibleSql(profile: AccessProfile, release: string): Prisma.Sql {
  if (profile.isAdmin) return Prisma.sql`TRUE`;
  const alias = Prisma.raw(release);
  return Prisma.sql`(
    EXISTS (
      SELECT 1 FROM release_clusters vrc
      WHERE vrc.release_id = ${alias}.id AND ${releaseEntryVisibleSql(profile, "vrc")}
    )
    OR EXISTS (
      SELECT 1 FROM rollouts vr JOIN rollout_targets vt ON vt.rollout_id = vr.id
      WHERE vr.release_id = ${alias}.id AND ${targetVisibleSql(profile, "vt")}
    )
  )`;
}

/**
 * An object of the fleet index (alias with `cluster_id`, `namespace`, `kind`: an inventory row or
 * a timeline entry) the caller may see: `seesIndexedObject` (policy.ts) in SQL. Its namespace
 * matches a pattern of the grants on its cluster (an empty namespace: a cluster-scoped object,
 * seen with `clusterScoped`), and a Secret matches a pattern of a grant with at least `metadata`
 * secret access. Admins: TRUE.
 *
 * The access list travels as one JSON parameter joined on the cluster, and the visible cluster
 * ids once more as a uuid array beside it: the same rule, in a form the planner can use to pick
 * an index on `cluster_id` instead of testing every row of the fleet.
 */
export function indexedObjectVisibleSql(profile: AccessProfile, object: string): Prisma.Sql {
  if (profile.isAdmin) return Prisma.sql`TRUE`;
  const access = accessByCluster(profile);
  if (access.length === 0) return Prisma.sql`FALSE`;
  const alias = Prisma.raw(object);
  const clusterIds = access.map((entry) => entry.cluster_id);
  return Prisma.sql`(
    ${alias}.cluster_id = ANY(${clusterIds}::uuid[])
    AND EXISTS (
      SELECT 1 FROM jsonb_to_recordset(${JSON.stringify(access)}::jsonb)
        AS a(cluster_id text, patterns text[], cluster_scoped boolean, secret_patterns text[])
      WHERE a.cluster_id = ${alias}.cluster_id::text
        AND CASE
          WHEN ${alias}.kind = 'secrets' THEN ${alias}.namespace <> '' AND ${alias}.namespace LIKE ANY (a.secret_patterns)
          WHEN ${alias}.namespace = '' THEN a.cluster_scoped
          ELSE ${alias}.namespace LIKE ANY (a.patterns)
        END
    )
  )`;
}
