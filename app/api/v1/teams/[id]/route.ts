import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { updateTeamBodySchema } from "@/lib/schemas/access";
import { route } from "@/lib/server/http/route";
import { deleteTeam, getTeam, updateTeam } from "@/lib/server/teams/teams";

const teamParams = z.object({ id: idParam("Team") });

export const GET = route({ access: "user", params: teamParams }, async ({ params, profile }) => ({
  team: await getTeam(await profile(), params.id),
}));

export const PATCH = route(
  { access: "user", params: teamParams, body: updateTeamBodySchema, audit: "team.update" },
  async ({ params, body, profile, audit }) => {
    const team = await getTeam(await profile(), params.id);
    audit.target({ kind: "Team", name: team.name });
    await updateTeam(await profile(), team.id, body);
    return { team: await getTeam(await profile(), team.id) };
  },
);

export const DELETE = route(
  { access: "user", params: teamParams, audit: "team.delete" },
  async ({ params, profile, audit }) => {
    audit.target({ kind: "Team", name: await deleteTeam(await profile(), params.id) });
    return new Response(null, { status: 204 });
  },
);
