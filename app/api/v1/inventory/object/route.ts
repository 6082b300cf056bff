import { objectQuerySchema } from "@/lib/schemas/inventory";
import { objectDetail } from "@/lib/server/inventory/object-detail";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "user", query: objectQuerySchema }, async ({ query, profile }) => ({
  object: await objectDetail(await profile(), query),
}));
