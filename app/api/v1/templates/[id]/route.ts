import { route } from "@/lib/server/http/route";
import { getTemplate } from "@/lib/server/templates/templates";

export const GET = route({ access: "user" }, async ({ params, profile }) => ({
  template: await getTemplate(await profile(), String(params.id)),
}));
