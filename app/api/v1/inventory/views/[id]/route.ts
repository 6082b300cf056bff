import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { deleteInventoryView } from "@/lib/server/inventory/views";

const params = z.object({ id: idParam("View") });

export const DELETE = route(
  { access: "user", params, audit: "inventory.view.delete" },
  async ({ params, profile, audit }) => {
    const deleted = await deleteInventoryView(await profile(), params.id);
    audit.target({ kind: "InventoryView", name: deleted.name });
    audit.detail("viewId", deleted.id);
    audit.detail("teamId", deleted.teamId);
    return new Response(null, { status: 204 });
  },
);
