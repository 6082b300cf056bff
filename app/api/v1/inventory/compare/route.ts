import { compareQuerySchema } from "@/lib/schemas/inventory";
import { compareObject } from "@/lib/server/inventory/compare";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "user", query: compareQuerySchema }, async ({ query, profile }) =>
  compareObject(await profile(), query),
);
