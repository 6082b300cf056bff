import { NextResponse } from "next/server";
import { changeWindowBodySchema } from "@/lib/schemas/change-windows";
import { createChangeWindow, listChangeWindows } from "@/lib/server/access/change-window-store";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "admin" }, async ({ profile }) => ({
  windows: await listChangeWindows(await profile()),
}));

/** A change window: clusters matching its selector take changes only while one of their windows is open. */
export const POST = route(
  { access: "admin", body: changeWindowBodySchema, audit: "change-window.create" },
  async ({ body, profile, audit }) => {
    audit.target({ kind: "ChangeWindow", name: body.name });
    audit.detail("clusterSelector", body.clusterSelector);
    audit.detail("kind", body.kind);
    const created = await createChangeWindow(await profile(), body);
    return NextResponse.json({ window: created }, { status: 201 });
  },
);
