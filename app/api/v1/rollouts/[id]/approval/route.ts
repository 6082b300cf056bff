import { z } from "zod";
import { approvalDecisionBodySchema } from "@/lib/schemas/change-control";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { approvalView, decideOnRollout } from "@/lib/server/rollouts/approval";

const rolloutParams = z.object({ id: idParam("Rollout") });

/** The rollout's approval: policies, decisions, and the previewed change (masked) per visible cluster. */
export const GET = route({ access: "user", params: rolloutParams }, async ({ params, profile }) => ({
  approval: await approvalView(await profile(), params.id),
}));

/** Approve or reject with a comment: `{ decision: "approve" | "reject", comment }`. */
export const POST = route(
  { access: "user", params: rolloutParams, body: approvalDecisionBodySchema, audit: "rollout.approval" },
  async ({ params, body, profile, audit }) => {
    audit.target({ kind: "Rollout", name: params.id });
    audit.detail("decision", body.decision);
    audit.detail("comment", body.comment);
    const access = await profile();
    const outcome = await decideOnRollout(access, params.id, body);
    audit.detail("digest", outcome.digest);
    audit.detail("started", outcome.started);
    if (outcome.stale) audit.detail("staleDetected", true);
    return { outcome, approval: await approvalView(access, params.id) };
  },
);
