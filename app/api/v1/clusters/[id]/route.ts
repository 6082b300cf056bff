import { updateClusterBodySchema } from "@/lib/schemas/clusters";
import { getCluster } from "@/lib/server/clusters/queries";
import { deleteCluster, updateCluster } from "@/lib/server/clusters/update";
import { route } from "@/lib/server/http/route";

const idOf = (params: Record<string, string | string[]>) => String(params.id);

export const GET = route({ access: "user" }, async ({ params }) => ({ cluster: await getCluster(idOf(params)) }));

export const PATCH = route({ access: "admin", body: updateClusterBodySchema }, async ({ params, body }) => ({
  cluster: await updateCluster(idOf(params), body),
}));

export const DELETE = route({ access: "admin" }, async ({ params }) => {
  await deleteCluster(idOf(params));
  return new Response(null, { status: 204 });
});
