import { z } from "zod";
import { labelSelectorSchema } from "./clusters";

/** An approval policy as an admin writes it (lib/server/access/approval-rules.ts decides with it). */
export const approvalPolicyBodySchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(100, "Name is at most 100 characters"),
    clusterSelector: labelSelectorSchema.refine((value) => value.trim().length > 0, {
      message: "A policy needs a cluster selector (for example env=prod)",
    }),
    approvalsRequired: z
      .number({ error: "approvalsRequired must be a number" })
      .int("approvalsRequired must be a whole number")
      .min(1, "approvalsRequired must be between 1 and 5")
      .max(5, "approvalsRequired must be between 1 and 5"),
    approverTeamIds: z
      .array(z.uuid({ error: "Approver team ids must be UUIDs" }))
      .max(50)
      .default([]),
    adminsMayApprove: z.boolean().default(true),
    authorMayApprove: z.boolean().default(false),
  })
  .strict()
  .superRefine((policy, context) => {
    if (!policy.adminsMayApprove && policy.approverTeamIds.length === 0)
      context.addIssue({
        code: "custom",
        path: ["approverTeamIds"],
        message: "Name at least one approver team, or let admins approve",
      });
  });
export type ApprovalPolicyBody = z.infer<typeof approvalPolicyBodySchema>;

export const approvalDecisionBodySchema = z
  .object({
    decision: z.enum(["approve", "reject"], { error: "decision must be approve or reject" }),
    comment: z.string().trim().min(1, "A comment is required").max(2000, "Comment is at most 2000 characters"),
  })
  .strict();
export type ApprovalDecisionBody = z.infer<typeof approvalDecisionBodySchema>;
