import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { NextResponse } from "next/server";
import { route } from "@/lib/server/http/route";
import { rollbackRelease } from "@/lib/server/rollouts/rollback";

const releaseParams = z.object({ id: idParam("Release") });

const rollbackBodySchema = z
  .object({
    revision: z
      .number({ error: "revision must be a revision number" })
      .int()
      .min(1, "revision must be a revision number")
      .max(2_147_483_647, "revision must be a revision number"),
    idempotencyKey: z.string().min(8).max(100).optional(),
  })
  .strict();

/** Rolling back = a new rollout of an earlier revision, with the parameters it last ran with, to the release's clusters. */
export const POST = route(
  { access: "user", params: releaseParams, body: rollbackBodySchema, audit: "release.rollback" },
  async ({ params, body, profile, audit }) => {
    audit.target({ kind: "Release", name: params.id });
    audit.detail("toRevision", body.revision);
    const result = await rollbackRelease(await profile(), params.id, body);
    if (result.secretsKept.length) audit.detail("secretParamsFromRevision", result.secretsKept);
    return NextResponse.json(
      {
        rolloutId: result.id,
        created: result.created,
        ...(result.secretsKept.length
          ? {
              secretParams: `${result.secretsKept.join(", ")}: the values revision ${body.revision} was rolled out with`,
            }
          : {}),
      },
      { status: result.created ? 201 : 200 },
    );
  },
);
