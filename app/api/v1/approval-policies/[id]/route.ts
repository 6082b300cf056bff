import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { deleteApprovalPolicy } from "@/lib/server/access/approval-policies";
import { route } from "@/lib/server/http/route";

const policyParams = z.object({ id: idParam("Approval policy") });

export const DELETE = route(
  { access: "admin", params: policyParams, audit: "approval-policy.delete" },
  async ({ params, profile, audit }) => {
    audit.target({ kind: "ApprovalPolicy", name: params.id });
    await deleteApprovalPolicy(await profile(), params.id);
    return { deleted: true };
  },
);
