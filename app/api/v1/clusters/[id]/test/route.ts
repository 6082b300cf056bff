import { requireClusterVisible } from "@/lib/server/access/guard";
import { checkRegisteredCluster } from "@/lib/server/clusters/check-connection";
import { getCluster } from "@/lib/server/clusters/queries";
import { route } from "@/lib/server/http/route";

export const POST = route({ access: "user", audit: "cluster.test" }, async ({ params, profile, audit }) => {
  const cluster = await getCluster(String(params.id));
  requireClusterVisible(await profile(), cluster.id);
  audit.target({ cluster: cluster.name });
  return { result: await checkRegisteredCluster(cluster.id) };
});
