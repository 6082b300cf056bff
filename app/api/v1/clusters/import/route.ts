import { NextResponse } from "next/server";
import { importKubeconfigBodySchema } from "@/lib/schemas/clusters";
import { importClusters } from "@/lib/server/clusters/register";
import { route } from "@/lib/server/http/route";

// Larger than the kubeconfig limit, so an oversized kubeconfig gets a 400 naming the field.
const EIGHT_MB = 8 * 1024 * 1024;

/** Registers the chosen contexts of a kubeconfig, all or none. */
export const POST = route(
  { access: "admin", body: importKubeconfigBodySchema, maxBodyBytes: EIGHT_MB, audit: "cluster.import" },
  async ({ body, audit }) => {
    audit.detail(
      "clusters",
      body.contexts.map((choice) => choice.name),
    );
    return NextResponse.json({ clusters: await importClusters(body) }, { status: 201 });
  },
);
