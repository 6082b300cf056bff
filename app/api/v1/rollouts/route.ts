import { NextResponse } from "next/server";
import { listRolloutsQuerySchema } from "@/lib/schemas/lists";
import { ROLLOUT_REQUEST_MAX_BYTES, rolloutRequestSchema } from "@/lib/schemas/templates";
import { route } from "@/lib/server/http/route";
import { startRollout } from "@/lib/server/rollouts/create";
import { listRollouts } from "@/lib/server/rollouts/queries";

/** One page of rollouts, newest first: `?cursor=&pageSize=`; answers `{ rollouts, total, nextCursor }`. */
export const GET = route({ access: "user", query: listRolloutsQuerySchema }, async ({ query, profile }) =>
  listRollouts(await profile(), query),
);

/** Starts a rollout. The same idempotencyKey twice answers with the first rollout (200), not a second one. */
export const POST = route(
  { access: "user", body: rolloutRequestSchema, audit: "rollout.start", maxBodyBytes: ROLLOUT_REQUEST_MAX_BYTES },
  async ({ body, profile, audit }) => {
    audit.target({ kind: "Release", name: body.releaseName });
    audit.detail("revision", body.revision);
    // An admin's freeze override is audited with its reason (refused before anything is written otherwise).
    if (body.freezeOverride) audit.detail("freezeOverride", body.freezeOverride.reason);
    const result = await startRollout(await profile(), body);
    audit.detail("rolloutId", result.id);
    audit.detail("duplicateRequest", !result.created);
    // Secret parameters are audited by path; their values never reach the audit log.
    if (result.secretsSet.length) audit.detail("secretParamsSet", result.secretsSet);
    if (result.secretsKept.length) audit.detail("secretParamsKept", result.secretsKept);
    if (result.secretReferences.length) audit.detail("secretReferences", result.secretReferences);
    return NextResponse.json({ rolloutId: result.id, created: result.created }, { status: result.created ? 201 : 200 });
  },
);
