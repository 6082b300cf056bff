import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { requireClusterVisible } from "@/lib/server/access/guard";
import { checkRegisteredCluster } from "@/lib/server/clusters/check-connection";
import { getCluster } from "@/lib/server/clusters/queries";
import { route } from "@/lib/server/http/route";

const clusterParams = z.object({ id: idParam("Cluster") });

export const POST = route(
  { access: "user", params: clusterParams, audit: "cluster.test" },
  async ({ params, profile, audit }) => {
    const cluster = await getCluster(params.id);
    requireClusterVisible(await profile(), cluster.id);
    audit.target({ cluster: cluster.name });
    return { result: await checkRegisteredCluster(cluster.id) };
  },
);
