import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { replaceCredentialBodySchema } from "@/lib/schemas/clusters";
import { getCluster } from "@/lib/server/clusters/queries";
import { replaceCredential } from "@/lib/server/clusters/update";
import { route } from "@/lib/server/http/route";

const clusterParams = z.object({ id: idParam("Cluster") });

/** Replaces the credential. There is deliberately no GET: a saved credential never leaves the server. */
export const PUT = route(
  { access: "admin", params: clusterParams, body: replaceCredentialBodySchema, audit: "cluster.replace-credential" },
  async ({ params, body, audit }) => {
    const cluster = await getCluster(params.id);
    audit.target({ cluster: cluster.name });
    audit.detail("type", body.credential.type);
    return { cluster: await replaceCredential(cluster.id, body.credential) };
  },
);
