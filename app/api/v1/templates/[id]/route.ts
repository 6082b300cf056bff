import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { getTemplate } from "@/lib/server/templates/templates";

const templateParams = z.object({ id: idParam("Template") });

export const GET = route({ access: "user", params: templateParams }, async ({ params, profile }) => ({
  template: await getTemplate(await profile(), params.id),
}));
