import { NextResponse } from "next/server";
import { grantBodySchema } from "@/lib/schemas/access";
import { createGrant } from "@/lib/server/access/grants";
import { route } from "@/lib/server/http/route";
import { getTeam } from "@/lib/server/teams/teams";

/** Grants are admin-only: maintainers manage members, never what the team may touch. */
export const POST = route(
  { access: "user", body: grantBodySchema, audit: "team.grant-create" },
  async ({ params, body, profile, audit }) => {
    const team = await getTeam(await profile(), String(params.id));
    audit.target({ kind: "Team", name: team.name });
    audit.detail("grant", body);
    const grantId = await createGrant(await profile(), team.id, body);
    audit.detail("grantId", grantId);
    return NextResponse.json({ team: await getTeam(await profile(), team.id) }, { status: 201 });
  },
);
