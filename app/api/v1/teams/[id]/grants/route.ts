import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { NextResponse } from "next/server";
import { grantBodySchema } from "@/lib/schemas/access";
import { createGrant } from "@/lib/server/access/grants";
import { route } from "@/lib/server/http/route";
import { getTeam } from "@/lib/server/teams/teams";

const teamParams = z.object({ id: idParam("Team") });

/** Grants are admin-only: maintainers manage members, never what the team may touch. */
export const POST = route(
  { access: "user", params: teamParams, body: grantBodySchema, audit: "team.grant-create" },
  async ({ params, body, profile, audit }) => {
    const team = await getTeam(await profile(), params.id);
    audit.target({ kind: "Team", name: team.name });
    audit.detail("grant", body);
    const grantId = await createGrant(await profile(), team.id, body);
    audit.detail("grantId", grantId);
    return NextResponse.json({ team: await getTeam(await profile(), team.id) }, { status: 201 });
  },
);
