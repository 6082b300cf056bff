import "server-only";
import { allows, type AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { stringRecord } from "@/lib/server/db/json";
import { forbidden } from "@/lib/server/errors/app-error";

/** Steering a rollout or release (pause, abort, heal, roll back) needs deploy on every cluster it touches, or being its author, or admin. */
export function requireSteer(profile: AccessProfile, clusterIds: string[], authorId?: string | null): void {
  if (profile.isAdmin || (authorId && authorId === profile.userId)) return;
  if (clusterIds.length > 0 && clusterIds.every((clusterId) => allows(profile, { clusterId, level: "deploy" }))) return;
  throw forbidden("Steering this needs deploy access on every cluster it covers");
}

/** Clusters the caller may deploy to, by name: the only candidates for a rollout (others are not even listed). */
export async function deployableClusters(profile: AccessProfile) {
  const clusters = await db().cluster.findMany({
    select: { id: true, name: true, labels: true, variables: true, status: true },
    orderBy: { name: "asc" },
  });
  return clusters
    .filter((cluster) => allows(profile, { clusterId: cluster.id, level: "deploy" }))
    .map((cluster) => ({ ...cluster, labels: stringRecord(cluster.labels) }));
}
