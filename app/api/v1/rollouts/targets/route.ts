import { z } from "zod";
import { labelSelectorSchema } from "@/lib/schemas/clusters";
import { allows } from "@/lib/server/access/policy";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";
import { db } from "@/lib/server/db/client";
import { stringRecord } from "@/lib/server/db/json";
import { route } from "@/lib/server/http/route";

const targetsQuerySchema = z.object({ selector: labelSelectorSchema.optional() });

/** Clusters the caller may deploy to (matching the selector, if given): others are not listed at all. */
export const GET = route({ access: "user", query: targetsQuerySchema }, async ({ query, profile }) => {
  const access = await profile();
  const selector = query.selector ? parseSelector(query.selector) : null;
  const clusters = await db().cluster.findMany({ select: { id: true, name: true, labels: true, status: true }, orderBy: { name: "asc" } });
  return {
    clusters: clusters
      .filter((cluster) => allows(access, { clusterId: cluster.id, level: "deploy" }))
      .filter((cluster) => !selector || matchesSelector(selector, stringRecord(cluster.labels)))
      .map((cluster) => ({ id: cluster.id, name: cluster.name, labels: stringRecord(cluster.labels), status: cluster.status })),
  };
});
