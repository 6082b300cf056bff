import { z } from "zod";
import { route } from "@/lib/server/http/route";
import { diffRevisions } from "@/lib/server/templates/templates";

const diffQuerySchema = z.object({
  from: z.coerce.number({ error: "from must be a revision number" }).int().min(1, "from must be a revision number"),
  to: z.coerce.number({ error: "to must be a revision number" }).int().min(1, "to must be a revision number"),
});

export const GET = route({ access: "user", query: diffQuerySchema }, async ({ params, query }) => ({
  diff: await diffRevisions(String(params.id), query.from, query.to),
}));
