import { replaceCredentialBodySchema } from "@/lib/schemas/clusters";
import { replaceCredential } from "@/lib/server/clusters/update";
import { route } from "@/lib/server/http/route";

/** Replaces the credential. There is deliberately no GET: a saved credential never leaves the server. */
export const PUT = route({ access: "admin", body: replaceCredentialBodySchema }, async ({ params, body }) => ({
  cluster: await replaceCredential(String(params.id), body.credential),
}));
