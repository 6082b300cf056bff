import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { levelAtLeast, secretsAtLeast, type AccessProfile } from "./policy";
import { globToLike } from "./visibility-sql";

/**
 * What a caller may see of the fleet index (inventory_objects), as one parameterised SQL
 * condition, so lists filter, count and page in the database with the grants applied inside
 * the query, never after a fetch. The same rule as policy.ts: an object is visible when some
 * grant on its cluster at level view or above covers its namespace; a Secret (metadata only)
 * when such a grant also gives at least `metadata` secret access. The grants are folded per
 * cluster into two pattern lists (exact, as in visibility-sql.ts), sent as one JSON parameter;
 * namespace globs become LIKE patterns with LIKE's own characters escaped.
 */

interface IndexAccess {
  cluster_id: string;
  patterns: string[];
  secret_patterns: string[];
}

function indexAccess(profile: AccessProfile): IndexAccess[] {
  const byCluster = new Map<string, { patterns: Set<string>; secrets: Set<string> }>();
  for (const grant of profile.grants) {
    if (!levelAtLeast(grant.level, "view")) continue;
    for (const clusterId of grant.clusterIds) {
      const entry = byCluster.get(clusterId) ?? { patterns: new Set<string>(), secrets: new Set<string>() };
      for (const pattern of grant.namespaces) {
        entry.patterns.add(globToLike(pattern));
        if (secretsAtLeast(grant.secrets, "metadata")) entry.secrets.add(globToLike(pattern));
      }
      byCluster.set(clusterId, entry);
    }
  }
  return [...byCluster].map(([clusterId, entry]) => ({
    cluster_id: clusterId,
    patterns: [...entry.patterns],
    secret_patterns: [...entry.secrets],
  }));
}

/** The caller's grants as a condition on an inventory_objects alias (`o`). Admins: TRUE. */
export function indexVisibleSql(profile: AccessProfile, alias: string): Prisma.Sql {
  if (profile.isAdmin) return Prisma.sql`TRUE`;
  const access = indexAccess(profile);
  if (access.length === 0) return Prisma.sql`FALSE`;
  const o = Prisma.raw(alias);
  return Prisma.sql`EXISTS (
    SELECT 1 FROM jsonb_to_recordset(${JSON.stringify(access)}::jsonb)
      AS a(cluster_id uuid, patterns text[], secret_patterns text[])
    WHERE a.cluster_id = ${o}.cluster_id
      AND ${o}.namespace LIKE ANY (CASE WHEN ${o}.kind = 'secrets' THEN a.secret_patterns ELSE a.patterns END)
  )`;
}
