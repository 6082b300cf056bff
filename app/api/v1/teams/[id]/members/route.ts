import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { NextResponse } from "next/server";
import { addMemberBodySchema } from "@/lib/schemas/access";
import { route } from "@/lib/server/http/route";
import { addMember, getTeam } from "@/lib/server/teams/teams";

const teamParams = z.object({ id: idParam("Team") });

/** Admins and the team's maintainers add members. */
export const POST = route(
  { access: "user", params: teamParams, body: addMemberBodySchema, audit: "team.member-add" },
  async ({ params, body, profile, audit }) => {
    const team = await getTeam(await profile(), params.id);
    audit.target({ kind: "Team", name: team.name });
    audit.detail("member", body.email);
    audit.detail("role", body.role);
    await addMember(await profile(), team.id, body);
    return NextResponse.json({ team: await getTeam(await profile(), team.id) }, { status: 201 });
  },
);
