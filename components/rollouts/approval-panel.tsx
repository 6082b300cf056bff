"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { TextareaField } from "@/components/ui/textarea-field";
import { ApiError } from "@/lib/api/client";
import { decideApproval, refreshApproval } from "@/lib/api/change-control";
import { approvalQuery, changeControlKeys } from "@/lib/queries/change-control";
import { rolloutKeys } from "@/lib/queries/rollouts";
import { PreviewResults } from "./preview-results";

/**
 * A rollout under an approval policy: the policies and their counts, every decision, and the
 * exact previewed change (per cluster the reader can see, secrets masked) the approval covers.
 * Approve or reject with a comment, after a confirmation.
 */
export function ApprovalPanel({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const query = useQuery(approvalQuery(id));
  const [comment, setComment] = useState("");
  const settle = (approval: Awaited<ReturnType<typeof decideApproval>>) => {
    queryClient.setQueryData(changeControlKeys.approval(id), approval);
    void queryClient.invalidateQueries({ queryKey: rolloutKeys.rollout(id) });
  };
  const decide = useMutation({
    mutationFn: (decision: "approve" | "reject") => decideApproval(id, { decision, comment }),
    onSuccess: (approval) => {
      setComment("");
      settle(approval);
    },
  });
  const refresh = useMutation({ mutationFn: () => refreshApproval(id), onSuccess: settle });
  const approval = query.data;
  if (approval && approval.policies.length === 0) return null;
  const commentErrors = decide.error instanceof ApiError ? decide.error.fields.comment : undefined;
  return (
    <QueryState isPending={query.isPending} error={query.error} label="Approval">
      {approval ? (
        <Section title="Approval">
          <div data-testid="approval-section" className="space-y-4">
            {approval.stale ? <Alert tone="warning">{approval.stale}</Alert> : null}
            <ul className="text-sm text-slate-700">
              {approval.policies.map((policy) => (
                <li key={policy.id} data-testid={`approval-policy-${policy.name}`}>
                  Policy <span className="font-semibold">{policy.name}</span> ({policy.clusterSelector}, covers{" "}
                  {policy.clusters.join(", ")}): {policy.approved} of {policy.required} approvals
                </li>
              ))}
            </ul>
            {approval.decisions.length ? (
              <ul data-testid="approval-decisions" className="space-y-1 text-sm">
                {approval.decisions.map((d, index) => (
                  <li key={index} className={d.counts ? "" : "text-slate-400"}>
                    <span className={d.decision === "approved" ? "text-emerald-700" : "text-red-700"}>
                      {d.decision}
                    </span>{" "}
                    by {d.userEmail} · {new Date(d.at).toLocaleString()}
                    {d.counts ? "" : " (for an earlier preview, or expired: does not count)"} · “{d.comment}”
                  </li>
                ))}
              </ul>
            ) : null}
            <div>
              <h3 className="mb-2 text-sm font-semibold text-slate-800">
                The change this approval covers
                {approval.digestAt ? ` (previewed ${new Date(approval.digestAt).toLocaleString()})` : ""}
              </h3>
              <PreviewResults clusters={approval.clusters} />
            </div>
            {approval.state === "awaiting_approval" ? (
              approval.you.mayDecide ? (
                <div className="space-y-2">
                  <TextareaField
                    label="Comment"
                    name="approval-comment"
                    value={comment}
                    onChange={(event) => setComment(event.target.value)}
                    errors={commentErrors}
                    rows={2}
                  />
                  <div className="flex gap-2">
                    <Button
                      pending={decide.isPending}
                      onClick={() =>
                        window.confirm("Approve exactly this change? It starts once every policy has its approvals.") &&
                        decide.mutate("approve")
                      }
                    >
                      Approve
                    </Button>
                    <Button
                      variant="danger"
                      pending={decide.isPending}
                      onClick={() =>
                        window.confirm("Reject this rollout? It ends and never starts.") && decide.mutate("reject")
                      }
                    >
                      Reject
                    </Button>
                  </div>
                </div>
              ) : (
                <p data-testid="approval-why-not" className="text-sm text-slate-600">
                  {approval.you.reason}
                </p>
              )
            ) : null}
            {approval.state === "awaiting_approval" ? (
              <Button variant="secondary" pending={refresh.isPending} onClick={() => refresh.mutate()}>
                Take a fresh preview
              </Button>
            ) : null}
            {decide.error && !commentErrors ? <Alert>{decide.error.message}</Alert> : null}
            {refresh.error ? <Alert>{refresh.error.message}</Alert> : null}
          </div>
        </Section>
      ) : null}
    </QueryState>
  );
}
