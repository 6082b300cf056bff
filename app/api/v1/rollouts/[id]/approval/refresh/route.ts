import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { approvalView, refreshApprovalPreview } from "@/lib/server/rollouts/approval";

const rolloutParams = z.object({ id: idParam("Rollout") });

/** Takes a fresh preview and digest; when the change differs, earlier approvals stop counting. */
export const POST = route(
  { access: "user", params: rolloutParams, audit: "rollout.approval-refresh" },
  async ({ params, profile, audit }) => {
    audit.target({ kind: "Rollout", name: params.id });
    const access = await profile();
    const { changed } = await refreshApprovalPreview(access, params.id);
    audit.detail("staleDetected", changed);
    return { changed, approval: await approvalView(access, params.id) };
  },
);
