import { checkRegisteredCluster } from "@/lib/server/clusters/check-connection";
import { getCluster } from "@/lib/server/clusters/queries";
import { route } from "@/lib/server/http/route";

export const POST = route({ access: "user" }, async ({ params }) => {
  const cluster = await getCluster(String(params.id));
  return { result: await checkRegisteredCluster(cluster.id) };
});
