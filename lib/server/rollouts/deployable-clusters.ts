import "server-only";
import { allows, type AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { stringRecord } from "@/lib/server/db/json";

/** Clusters the caller may deploy to somewhere: the only candidates for a rollout (others are not even listed). */
export async function deployableClusters(profile: AccessProfile) {
  const clusters = await db().cluster.findMany({
    select: { id: true, name: true, labels: true, variables: true, status: true, revision: true },
    orderBy: { name: "asc" },
  });
  return clusters
    .filter((cluster) => allows(profile, { clusterId: cluster.id, level: "deploy" }))
    .map((cluster) => ({ ...cluster, labels: stringRecord(cluster.labels) }));
}
