import { NextResponse } from "next/server";
import { createTeamBodySchema } from "@/lib/schemas/access";
import { route } from "@/lib/server/http/route";
import { createTeam, listTeams } from "@/lib/server/teams/teams";

export const GET = route({ access: "user" }, async ({ profile }) => ({ teams: await listTeams(await profile()) }));

export const POST = route(
  { access: "user", body: createTeamBodySchema, audit: "team.create" },
  async ({ body, profile, audit }) => {
    audit.target({ kind: "Team", name: body.name });
    return NextResponse.json({ team: await createTeam(await profile(), body) }, { status: 201 });
  },
);
