import { requireClusterVisible } from "@/lib/server/access/guard";
import { updateClusterBodySchema } from "@/lib/schemas/clusters";
import { getCluster } from "@/lib/server/clusters/queries";
import { deleteCluster, updateCluster } from "@/lib/server/clusters/update";
import { notFound } from "@/lib/server/errors/app-error";
import { route } from "@/lib/server/http/route";
import { isUuid } from "@/lib/schemas/ids";

const idOf = (params: Record<string, string | string[]>) => {
  const id = String(params.id);
  if (!isUuid(id)) throw notFound("Cluster");
  return id;
};

export const GET = route({ access: "user" }, async ({ params, profile }) => {
  const id = idOf(params);
  requireClusterVisible(await profile(), id);
  return { cluster: await getCluster(id) };
});

export const PATCH = route(
  { access: "admin", body: updateClusterBodySchema, audit: "cluster.update" },
  async ({ params, body, audit }) => {
    const id = idOf(params);
    const before = await getCluster(id);
    audit.target({ cluster: before.name });
    audit.detail("changed", Object.keys(body));
    if (body.labels) audit.detail("labels", { before: before.labels, after: body.labels });
    return { cluster: await updateCluster(id, body) };
  },
);

export const DELETE = route({ access: "admin", audit: "cluster.delete" }, async ({ params, audit }) => {
  const id = idOf(params);
  audit.target({ cluster: (await getCluster(id)).name });
  await deleteCluster(id);
  return new Response(null, { status: 204 });
});
