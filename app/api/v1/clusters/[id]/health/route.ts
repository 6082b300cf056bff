import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { requireClusterVisible } from "@/lib/server/access/guard";
import { getCluster, recentHealthChecks } from "@/lib/server/clusters/queries";
import { HEALTH_HISTORY } from "@/lib/server/clusters/health";
import { route } from "@/lib/server/http/route";

const clusterParams = z.object({ id: idParam("Cluster") });

const healthQuerySchema = z.object({
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int()
    .min(1, "limit must be 1 or more")
    .max(HEALTH_HISTORY, `limit must be at most ${HEALTH_HISTORY}`)
    .default(50),
});

export const GET = route(
  { access: "user", params: clusterParams, query: healthQuerySchema },
  async ({ params, query, profile }) => {
    const cluster = await getCluster(params.id);
    requireClusterVisible(await profile(), cluster.id);
    return { checks: await recentHealthChecks(cluster.id, query.limit) };
  },
);
