import { z } from "zod";
import { revisionNumberQuerySchema } from "@/lib/schemas/numbers";
import { route } from "@/lib/server/http/route";
import { diffRevisions } from "@/lib/server/templates/templates";

const diffQuerySchema = z.object({
  from: revisionNumberQuerySchema("from"),
  to: revisionNumberQuerySchema("to"),
});

export const GET = route({ access: "user", query: diffQuerySchema }, async ({ params, query }) => ({
  diff: await diffRevisions(String(params.id), query.from, query.to),
}));
