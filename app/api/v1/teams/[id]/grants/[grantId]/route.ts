import { deleteGrant } from "@/lib/server/access/grants";
import { route } from "@/lib/server/http/route";
import { getTeam } from "@/lib/server/teams/teams";

export const DELETE = route({ access: "user", audit: "team.grant-delete" }, async ({ params, profile, audit }) => {
  const team = await getTeam(await profile(), String(params.id));
  audit.target({ kind: "Team", name: team.name });
  audit.detail("grantId", String(params.grantId));
  await deleteGrant(await profile(), team.id, String(params.grantId));
  return new Response(null, { status: 204 });
});
