import { NextResponse } from "next/server";
import { freezeBodySchema } from "@/lib/schemas/change-windows";
import { createFreeze, listFreezes } from "@/lib/server/access/change-window-store";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "admin" }, async ({ profile }) => ({
  freezes: await listFreezes(await profile()),
}));

/** A change freeze: no rollout starts, and no new wave runs, on matching clusters in its date range. */
export const POST = route(
  { access: "admin", body: freezeBodySchema, audit: "freeze.create" },
  async ({ body, profile, audit }) => {
    audit.target({ kind: "ChangeFreeze", name: body.name });
    audit.detail("clusterSelector", body.clusterSelector);
    audit.detail("startsAt", body.startsAt);
    audit.detail("endsAt", body.endsAt);
    audit.detail("reason", body.reason);
    const created = await createFreeze(await profile(), body);
    return NextResponse.json({ freeze: created }, { status: 201 });
  },
);
