import { queryOptions } from "@tanstack/react-query";
import { fetchApproval, fetchApprovalPolicies, fetchGuardrailRules } from "@/lib/api/change-control";
import { fetchChangeWindows, fetchFreezes } from "@/lib/api/change-windows";
import { rolloutKeys } from "./rollouts";

export const changeControlKeys = {
  approval: (id: string) => [...rolloutKeys.rollout(id), "approval"] as const,
  policies: ["change-control", "policies"] as const,
  rules: ["change-control", "rules"] as const,
  windows: ["change-control", "windows"] as const,
  freezes: ["change-control", "freezes"] as const,
};

/** Waiting rollouts are watched (another approver, a stale digest); decided ones no longer change. */
export const approvalQuery = (id: string) =>
  queryOptions({
    queryKey: changeControlKeys.approval(id),
    queryFn: () => fetchApproval(id),
    refetchInterval: (query) => (query.state.data?.state === "awaiting_approval" ? 3000 : false),
  });
export const approvalPoliciesQuery = () =>
  queryOptions({ queryKey: changeControlKeys.policies, queryFn: fetchApprovalPolicies, staleTime: 10_000 });
export const guardrailRulesQuery = () =>
  queryOptions({ queryKey: changeControlKeys.rules, queryFn: fetchGuardrailRules, staleTime: 10_000 });
export const changeWindowsQuery = () =>
  queryOptions({ queryKey: changeControlKeys.windows, queryFn: fetchChangeWindows, staleTime: 10_000 });
export const freezesQuery = () =>
  queryOptions({ queryKey: changeControlKeys.freezes, queryFn: fetchFreezes, staleTime: 10_000 });
