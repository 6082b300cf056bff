import { updateTeamBodySchema } from "@/lib/schemas/access";
import { route } from "@/lib/server/http/route";
import { deleteTeam, getTeam, updateTeam } from "@/lib/server/teams/teams";

export const GET = route({ access: "user" }, async ({ params, profile }) => ({
  team: await getTeam(await profile(), String(params.id)),
}));

export const PATCH = route(
  { access: "user", body: updateTeamBodySchema, audit: "team.update" },
  async ({ params, body, profile, audit }) => {
    const team = await getTeam(await profile(), String(params.id));
    audit.target({ kind: "Team", name: team.name });
    await updateTeam(await profile(), team.id, body);
    return { team: await getTeam(await profile(), team.id) };
  },
);

export const DELETE = route({ access: "user", audit: "team.delete" }, async ({ params, profile, audit }) => {
  audit.target({ kind: "Team", name: await deleteTeam(await profile(), String(params.id)) });
  return new Response(null, { status: 204 });
});
