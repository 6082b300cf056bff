import { NextResponse } from "next/server";
import { createInventoryViewBodySchema } from "@/lib/schemas/inventory-views";
import { route } from "@/lib/server/http/route";
import { createInventoryView, listInventoryViews } from "@/lib/server/inventory/views";

export const GET = route({ access: "user" }, async ({ profile }) => ({
  views: await listInventoryViews(await profile()),
}));

export const POST = route(
  { access: "user", body: createInventoryViewBodySchema, audit: "inventory.view.create" },
  async ({ body, profile, audit }) => {
    audit.target({ kind: "InventoryView", name: body.name });
    audit.detail("teamId", body.teamId);
    const created = await createInventoryView(await profile(), body);
    audit.detail("viewId", created.id);
    return NextResponse.json({ view: created }, { status: 201 });
  },
);
