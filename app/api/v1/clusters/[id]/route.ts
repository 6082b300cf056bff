import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { requireClusterVisible } from "@/lib/server/access/guard";
import { updateClusterBodySchema } from "@/lib/schemas/clusters";
import { getCluster } from "@/lib/server/clusters/queries";
import { deleteCluster, updateCluster } from "@/lib/server/clusters/update";
import { route } from "@/lib/server/http/route";

const clusterParams = z.object({ id: idParam("Cluster") });

export const GET = route({ access: "user", params: clusterParams }, async ({ params, profile }) => {
  const id = params.id;
  requireClusterVisible(await profile(), id);
  return { cluster: await getCluster(id) };
});

export const PATCH = route(
  { access: "admin", params: clusterParams, body: updateClusterBodySchema, audit: "cluster.update" },
  async ({ params, body, audit }) => {
    const id = params.id;
    const before = await getCluster(id);
    audit.target({ cluster: before.name });
    audit.detail("changed", Object.keys(body));
    if (body.labels) audit.detail("labels", { before: before.labels, after: body.labels });
    return { cluster: await updateCluster(id, body) };
  },
);

export const DELETE = route(
  { access: "admin", params: clusterParams, audit: "cluster.delete" },
  async ({ params, audit }) => {
    const id = params.id;
    audit.target({ cluster: (await getCluster(id)).name });
    await deleteCluster(id);
    return new Response(null, { status: 204 });
  },
);
