import { z } from "zod";
import { labelSelectorSchema } from "@/lib/schemas/clusters";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";
import { route } from "@/lib/server/http/route";
import { deployableClusters } from "@/lib/server/rollouts/deployable-clusters";

const targetsQuerySchema = z.object({ selector: labelSelectorSchema.optional() });

/** Clusters the caller may deploy to (matching the selector, if given): others are not listed at all. */
export const GET = route({ access: "user", query: targetsQuerySchema }, async ({ query, profile }) => {
  const access = await profile();
  const selector = query.selector ? parseSelector(query.selector) : null;
  return {
    clusters: (await deployableClusters(access))
      .filter((cluster) => !selector || matchesSelector(selector, cluster.labels))
      .map((cluster) => ({ id: cluster.id, name: cluster.name, labels: cluster.labels, status: cluster.status })),
  };
});
