import { NextResponse } from "next/server";
import { visibleClusterIds } from "@/lib/server/access/policy";
import { createClusterBodySchema, listClustersQuerySchema } from "@/lib/schemas/clusters";
import { listClusters } from "@/lib/server/clusters/queries";
import { registerCluster } from "@/lib/server/clusters/register";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "user", query: listClustersQuerySchema }, async ({ query, profile }) =>
  listClusters(query, visibleClusterIds(await profile())),
);

export const POST = route(
  { access: "admin", body: createClusterBodySchema, audit: "cluster.register" },
  async ({ body, audit }) => {
    audit.target({ cluster: body.name });
    audit.detail("server", body.server);
    return NextResponse.json({ cluster: await registerCluster(body) }, { status: 201 });
  },
);
