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

/** A fleet guardrail as an admin writes it; the expression is compiled at save (lib/server/guardrails). */
export const guardrailRuleBodySchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(100, "Name is at most 100 characters"),
    expression: z
      .string()
      .trim()
      .min(1, "An expression is required")
      .max(4000, "Expression is at most 4000 characters"),
    clusterSelector: labelSelectorSchema.default(""),
    kinds: z
      .array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, "A kind is a name like Deployment"))
      .max(50)
      .default([]),
    action: z.enum(["deny", "warn"], { error: "action must be deny or warn" }),
    message: z.string().trim().min(1, "A message is required").max(500, "Message is at most 500 characters"),
  })
  .strict();
export type GuardrailRuleBody = z.infer<typeof guardrailRuleBodySchema>;
