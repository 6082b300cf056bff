import { namespaceSummaryQuerySchema } from "@/lib/schemas/inventory";
import { namespaceSummary } from "@/lib/server/inventory/namespaces";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "user", query: namespaceSummaryQuerySchema }, async ({ query, profile }) =>
  namespaceSummary(await profile(), query.cluster),
);
