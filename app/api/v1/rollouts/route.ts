import { NextResponse } from "next/server";
import { z } from "zod";
import { pageQuerySchema } from "@/lib/schemas/numbers";
import { rolloutRequestSchema } from "@/lib/schemas/templates";
import { route } from "@/lib/server/http/route";
import { startRollout } from "@/lib/server/rollouts/create";
import { listRollouts } from "@/lib/server/rollouts/queries";

const listQuerySchema = z.object({
  page: pageQuerySchema,
  pageSize: z.coerce
    .number({ error: "pageSize must be a number" })
    .int()
    .min(1, "pageSize must be 1 or more")
    .max(200, "pageSize must be at most 200")
    .default(50),
});

export const GET = route({ access: "user", query: listQuerySchema }, async ({ query, profile }) =>
  listRollouts(await profile(), query.page, query.pageSize),
);

/** Starts a rollout. The same idempotencyKey twice answers with the first rollout (200), not a second one. */
export const POST = route(
  { access: "user", body: rolloutRequestSchema, audit: "rollout.start" },
  async ({ body, profile, audit }) => {
    audit.target({ kind: "Release", name: body.releaseName });
    audit.detail("revision", body.revision);
    const result = await startRollout(await profile(), body);
    audit.detail("rolloutId", result.id);
    audit.detail("duplicateRequest", !result.created);
    return NextResponse.json({ rolloutId: result.id, created: result.created }, { status: result.created ? 201 : 200 });
  },
);
