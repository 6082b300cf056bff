import { z } from "zod";
import { idParam, numberParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { getRevision } from "@/lib/server/templates/templates";

const revisionParams = z.object({ id: idParam("Template"), number: numberParam("Template revision") });

export const GET = route({ access: "user", params: revisionParams }, async ({ params, profile }) => {
  return { revision: await getRevision(await profile(), params.id, params.number) };
});
