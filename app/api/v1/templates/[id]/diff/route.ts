import { z } from "zod";
import { route } from "@/lib/server/http/route";
import { diffRevisions } from "@/lib/server/templates/templates";

const revisionNumber = (field: string) =>
  z.coerce
    .number({ error: `${field} must be a revision number` })
    .int(`${field} must be a revision number`)
    .min(1, `${field} must be a revision number`)
    .max(2_147_483_647, `${field} must be a revision number`);

const diffQuerySchema = z.object({ from: revisionNumber("from"), to: revisionNumber("to") }).strict();

export const GET = route({ access: "user", query: diffQuerySchema }, async ({ params, query, profile }) => ({
  diff: await diffRevisions(await profile(), String(params.id), query.from, query.to),
}));
