import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { diffRevisions } from "@/lib/server/templates/templates";

const templateParams = z.object({ id: idParam("Template") });

const revisionNumber = (field: string) =>
  z.coerce
    .number({ error: `${field} must be a revision number` })
    .int(`${field} must be a revision number`)
    .min(1, `${field} must be a revision number`)
    .max(2_147_483_647, `${field} must be a revision number`);

const diffQuerySchema = z.object({ from: revisionNumber("from"), to: revisionNumber("to") }).strict();

export const GET = route(
  { access: "user", params: templateParams, query: diffQuerySchema },
  async ({ params, query, profile }) => ({
    diff: await diffRevisions(await profile(), params.id, query.from, query.to),
  }),
);
