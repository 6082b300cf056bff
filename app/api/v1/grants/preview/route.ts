import { grantPreviewBodySchema } from "@/lib/schemas/access";
import { previewGrantClusters } from "@/lib/server/access/grants";
import { route } from "@/lib/server/http/route";

/** Which clusters a draft grant's selector and list match right now. Read-only, so not audited as a change. */
export const POST = route(
  { access: "admin", body: grantPreviewBodySchema, audit: "grant.preview" },
  async ({ body, profile }) => ({
    clusters: await previewGrantClusters(await profile(), body),
  }),
);
