import "server-only";
import { z } from "zod";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";
import type { AccessProfile } from "./policy";

/**
 * Who must approve a rollout, and who may: decided over ALL its targets (a rollout touching
 * one `env=prod` cluster among fifty waits like one touching only that cluster). The policies
 * that applied are kept on the rollout as a snapshot, so editing a policy later neither
 * releases nor blocks a rollout already waiting; each approval records the policies it
 * counted under, and every policy must reach its own count (a team approving for policy A
 * does not satisfy policy B's other team).
 */

export const policySnapshotSchema = z.object({
  id: z.string(),
  name: z.string(),
  clusterSelector: z.string(),
  approvalsRequired: z.number().int(),
  approverTeamIds: z.array(z.string()),
  adminsMayApprove: z.boolean(),
  authorMayApprove: z.boolean(),
  /** Names of the targets this policy covered. */
  clusters: z.array(z.string()),
});
export type PolicySnapshot = z.infer<typeof policySnapshotSchema>;
export const policySnapshotsSchema = z.array(policySnapshotSchema);

export type StoredPolicy = Omit<PolicySnapshot, "clusters">;

/** The policies that cover at least one target, each with the targets it covers. */
export function policiesCovering(
  policies: readonly StoredPolicy[],
  targets: ReadonlyArray<{ name: string; labels: Record<string, string> }>,
): PolicySnapshot[] {
  return policies.flatMap((policy) => {
    // A stored selector that no longer parses covers every cluster: a policy fails closed.
    let covers: (labels: Record<string, string>) => boolean = () => true;
    try {
      const selector = parseSelector(policy.clusterSelector);
      covers = (labels) => matchesSelector(selector, labels);
    } catch {
      /* fail closed */
    }
    const clusters = targets.filter((target) => covers(target.labels)).map((target) => target.name);
    return clusters.length ? [{ ...policy, clusters }] : [];
  });
}

export type ApproverStanding = { ok: true; policyIds: string[] } | { ok: false; reason: string };

/** May this caller approve (or reject) a rollout under these policies, and under which ones? */
export function approverStanding(
  profile: AccessProfile,
  policies: readonly PolicySnapshot[],
  authorId: string | null,
): ApproverStanding {
  const isAuthor = authorId !== null && authorId === profile.userId;
  const eligible = policies.filter(
    (policy) =>
      (profile.isAdmin && policy.adminsMayApprove) || policy.approverTeamIds.some((id) => profile.memberOf.has(id)),
  );
  if (eligible.length === 0)
    return { ok: false, reason: "You are not an approver under the approval policies of this rollout" };
  // Two-person rule: the author counts only where every policy that applies allows it.
  if (isAuthor && !policies.every((policy) => policy.authorMayApprove))
    return { ok: false, reason: "The author of a rollout may not approve it under its approval policy" };
  return { ok: true, policyIds: eligible.map((policy) => policy.id) };
}

/** How far each policy is from its count, with approvals of the current digest only. */
export function approvalProgress(
  policies: readonly PolicySnapshot[],
  approvals: ReadonlyArray<{ policyIds: readonly string[] }>,
): { satisfied: boolean; policies: Array<{ id: string; name: string; required: number; approved: number }> } {
  const rows = policies.map((policy) => ({
    id: policy.id,
    name: policy.name,
    required: policy.approvalsRequired,
    approved: approvals.filter((approval) => approval.policyIds.includes(policy.id)).length,
  }));
  return { satisfied: rows.every((row) => row.approved >= row.required), policies: rows };
}
