import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { deleteChangeWindow } from "@/lib/server/access/change-window-store";
import { route } from "@/lib/server/http/route";

const windowParams = z.object({ id: idParam("Change window") });

export const DELETE = route(
  { access: "admin", params: windowParams, audit: "change-window.delete" },
  async ({ params, profile, audit }) => {
    audit.target({ kind: "ChangeWindow", name: params.id });
    await deleteChangeWindow(await profile(), params.id);
    return { deleted: true };
  },
);
