import { NextResponse } from "next/server";
import { approvalPolicyBodySchema } from "@/lib/schemas/change-control";
import { createApprovalPolicy, listApprovalPolicies } from "@/lib/server/access/approval-policies";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "admin" }, async ({ profile }) => ({
  policies: await listApprovalPolicies(await profile()),
}));

/** An approval policy: rollouts touching a matching cluster wait for approvals. */
export const POST = route(
  { access: "admin", body: approvalPolicyBodySchema, audit: "approval-policy.create" },
  async ({ body, profile, audit }) => {
    audit.target({ kind: "ApprovalPolicy", name: body.name });
    audit.detail("clusterSelector", body.clusterSelector);
    audit.detail("approvalsRequired", body.approvalsRequired);
    const created = await createApprovalPolicy(await profile(), body);
    return NextResponse.json({ policy: created }, { status: 201 });
  },
);
