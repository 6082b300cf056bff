import { updateMemberBodySchema } from "@/lib/schemas/access";
import { route } from "@/lib/server/http/route";
import { getTeam, removeMember, updateMember } from "@/lib/server/teams/teams";

export const PATCH = route(
  { access: "user", body: updateMemberBodySchema, audit: "team.member-update" },
  async ({ params, body, profile, audit }) => {
    const team = await getTeam(await profile(), String(params.id));
    audit.target({ kind: "Team", name: team.name });
    audit.detail("member", String(params.userId));
    audit.detail("role", body.role);
    await updateMember(await profile(), team.id, String(params.userId), body.role);
    return { team: await getTeam(await profile(), team.id) };
  },
);

export const DELETE = route({ access: "user", audit: "team.member-remove" }, async ({ params, profile, audit }) => {
  const team = await getTeam(await profile(), String(params.id));
  audit.target({ kind: "Team", name: team.name });
  audit.detail("member", String(params.userId));
  await removeMember(await profile(), team.id, String(params.userId));
  return new Response(null, { status: 204 });
});
