import type { RolloutApprovalView } from "./approval-types";
import { apiFetch } from "./client";
import type { ApprovalPolicyBody, GuardrailRuleBody } from "@/lib/schemas/change-control";

/** Browser calls for approvals, approval policies and guardrails (server: lib/server/rollouts/approval.ts, guardrails/). */

export interface ApprovalPolicyRow extends ApprovalPolicyBody {
  id: string;
  createdByEmail: string;
  createdAt: string;
}
export interface GuardrailRuleRow extends GuardrailRuleBody {
  id: string;
  createdByEmail: string;
  createdAt: string;
}

export const fetchApproval = async (id: string) =>
  (await apiFetch<{ approval: RolloutApprovalView }>(`/api/v1/rollouts/${id}/approval`)).approval;

export const decideApproval = async (id: string, body: { decision: "approve" | "reject"; comment: string }) =>
  (await apiFetch<{ approval: RolloutApprovalView }>(`/api/v1/rollouts/${id}/approval`, { method: "POST", body }))
    .approval;

export const refreshApproval = async (id: string) =>
  (await apiFetch<{ approval: RolloutApprovalView }>(`/api/v1/rollouts/${id}/approval/refresh`, { method: "POST" }))
    .approval;

export const fetchApprovalPolicies = async () =>
  (await apiFetch<{ policies: ApprovalPolicyRow[] }>("/api/v1/approval-policies")).policies;
export const createApprovalPolicy = (body: Partial<ApprovalPolicyBody>) =>
  apiFetch<{ policy: { id: string } }>("/api/v1/approval-policies", { method: "POST", body });
export const deleteApprovalPolicy = (id: string) =>
  apiFetch<{ deleted: true }>(`/api/v1/approval-policies/${id}`, { method: "DELETE" });

export const fetchGuardrailRules = async () =>
  (await apiFetch<{ rules: GuardrailRuleRow[] }>("/api/v1/guardrail-rules")).rules;
export const createGuardrailRule = (body: Partial<GuardrailRuleBody>) =>
  apiFetch<{ rule: { id: string } }>("/api/v1/guardrail-rules", { method: "POST", body });
export const deleteGuardrailRule = (id: string) =>
  apiFetch<{ deleted: true }>(`/api/v1/guardrail-rules/${id}`, { method: "DELETE" });
