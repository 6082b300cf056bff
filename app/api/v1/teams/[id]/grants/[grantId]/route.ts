import { z } from "zod";
import { idParam, segmentParam } from "@/lib/schemas/params";
import { deleteGrant } from "@/lib/server/access/grants";
import { route } from "@/lib/server/http/route";
import { getTeam } from "@/lib/server/teams/teams";

const grantParams = z.object({ id: idParam("Team"), grantId: segmentParam("Grant") });

export const DELETE = route(
  { access: "user", params: grantParams, audit: "team.grant-delete" },
  async ({ params, profile, audit }) => {
    const team = await getTeam(await profile(), params.id);
    audit.target({ kind: "Team", name: team.name });
    audit.detail("grantId", params.grantId);
    await deleteGrant(await profile(), team.id, params.grantId);
    return new Response(null, { status: 204 });
  },
);
