import { z } from "zod";
import { idParam, segmentParam } from "@/lib/schemas/params";
import { updateMemberBodySchema } from "@/lib/schemas/access";
import { route } from "@/lib/server/http/route";
import { getTeam, removeMember, updateMember } from "@/lib/server/teams/teams";

const memberParams = z.object({ id: idParam("Team"), userId: segmentParam("Member") });

export const PATCH = route(
  { access: "user", params: memberParams, body: updateMemberBodySchema, audit: "team.member-update" },
  async ({ params, body, profile, audit }) => {
    const team = await getTeam(await profile(), params.id);
    audit.target({ kind: "Team", name: team.name });
    audit.detail("member", params.userId);
    audit.detail("role", body.role);
    await updateMember(await profile(), team.id, params.userId, body.role);
    return { team: await getTeam(await profile(), team.id) };
  },
);

export const DELETE = route(
  { access: "user", params: memberParams, audit: "team.member-remove" },
  async ({ params, profile, audit }) => {
    const team = await getTeam(await profile(), params.id);
    audit.target({ kind: "Team", name: team.name });
    audit.detail("member", params.userId);
    await removeMember(await profile(), team.id, params.userId);
    return new Response(null, { status: 204 });
  },
);
