import { previewKubeconfigBodySchema } from "@/lib/schemas/clusters";
import { previewKubeconfig } from "@/lib/server/clusters/register";
import { route } from "@/lib/server/http/route";

const EIGHT_MB = 8 * 1024 * 1024;

/** Lists a kubeconfig's contexts and whether each can be imported. Stores nothing. */
export const POST = route(
  { access: "admin", body: previewKubeconfigBodySchema, maxBodyBytes: EIGHT_MB, audit: "cluster.import-preview" },
  async ({ body }) => ({ contexts: previewKubeconfig(body.kubeconfig) }),
);
