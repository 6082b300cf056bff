import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { deleteFreeze } from "@/lib/server/access/change-window-store";
import { route } from "@/lib/server/http/route";

const freezeParams = z.object({ id: idParam("Freeze") });

export const DELETE = route(
  { access: "admin", params: freezeParams, audit: "freeze.delete" },
  async ({ params, profile, audit }) => {
    audit.target({ kind: "ChangeFreeze", name: params.id });
    await deleteFreeze(await profile(), params.id);
    return { deleted: true };
  },
);
