import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { teamAccessPreview } from "@/lib/server/access/grants";
import { route } from "@/lib/server/http/route";

const teamParams = z.object({ id: idParam("Team") });

/** What the team can see right now: clusters x namespaces. */
export const GET = route({ access: "user", params: teamParams }, async ({ params, profile }) =>
  teamAccessPreview(await profile(), params.id),
);
