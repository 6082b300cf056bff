import { NextResponse } from "next/server";
import { createClusterBodySchema, listClustersQuerySchema } from "@/lib/schemas/clusters";
import { listClusters } from "@/lib/server/clusters/queries";
import { registerCluster } from "@/lib/server/clusters/register";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "user", query: listClustersQuerySchema }, async ({ query }) => listClusters(query));

export const POST = route({ access: "admin", body: createClusterBodySchema }, async ({ body }) =>
  NextResponse.json({ cluster: await registerCluster(body) }, { status: 201 }),
);
