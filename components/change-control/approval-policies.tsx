"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { createApprovalPolicy, deleteApprovalPolicy } from "@/lib/api/change-control";
import { approvalPoliciesQuery, changeControlKeys } from "@/lib/queries/change-control";

/** Approval policies: a rollout touching a matching cluster waits for this many approvals. */
export function ApprovalPolicies() {
  const queryClient = useQueryClient();
  const query = useQuery(approvalPoliciesQuery());
  const [form, setForm] = useState({
    name: "",
    clusterSelector: "",
    approvalsRequired: "1",
    approverTeamIds: "",
    adminsMayApprove: true,
    authorMayApprove: false,
  });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: changeControlKeys.policies });
  const create = useMutation({
    mutationFn: () =>
      createApprovalPolicy({
        name: form.name,
        clusterSelector: form.clusterSelector,
        approvalsRequired: Number(form.approvalsRequired),
        approverTeamIds: form.approverTeamIds
          .split(",")
          .map((id) => id.trim())
          .filter(Boolean),
        adminsMayApprove: form.adminsMayApprove,
        authorMayApprove: form.authorMayApprove,
      }),
    onSuccess: () => {
      setForm((f) => ({ ...f, name: "", clusterSelector: "" }));
      void invalidate();
    },
  });
  const remove = useMutation({ mutationFn: deleteApprovalPolicy, onSuccess: () => void invalidate() });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  return (
    <Section title="Approval policies">
      <QueryState isPending={query.isPending} error={query.error} label="Approval policies">
        <ul data-testid="approval-policies" className="mb-4 space-y-2 text-sm">
          {query.data?.length === 0 ? <li className="text-slate-500">No policy: rollouts start at once.</li> : null}
          {query.data?.map((policy) => (
            <li key={policy.id} className="flex flex-wrap items-center gap-3">
              <span className="font-semibold">{policy.name}</span>
              <span className="font-mono">{policy.clusterSelector}</span>
              <span>
                {policy.approvalsRequired} approval{policy.approvalsRequired === 1 ? "" : "s"}
                {policy.adminsMayApprove ? " · admins" : ""}
                {policy.approverTeamIds.length ? ` · ${policy.approverTeamIds.length} team(s)` : ""}
                {policy.authorMayApprove ? " · author may approve" : " · never the author"}
              </span>
              <Button
                variant="secondary"
                pending={remove.isPending}
                onClick={() => window.confirm(`Delete policy ${policy.name}?`) && remove.mutate(policy.id)}
              >
                Delete
              </Button>
            </li>
          ))}
        </ul>
      </QueryState>
      <form
        className="grid gap-3 sm:grid-cols-2"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <TextField
          label="Policy name"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          errors={fields.name}
        />
        <TextField
          label="Cluster selector"
          placeholder="env=prod"
          value={form.clusterSelector}
          onChange={(e) => setForm({ ...form, clusterSelector: e.target.value })}
          errors={fields.clusterSelector}
        />
        <TextField
          label="Approvals required"
          type="number"
          min={1}
          max={5}
          value={form.approvalsRequired}
          onChange={(e) => setForm({ ...form, approvalsRequired: e.target.value })}
          errors={fields.approvalsRequired}
        />
        <TextField
          label="Approver team ids (comma-separated)"
          value={form.approverTeamIds}
          onChange={(e) => setForm({ ...form, approverTeamIds: e.target.value })}
          errors={fields.approverTeamIds ?? Object.entries(fields).find(([k]) => k.startsWith("approverTeamIds."))?.[1]}
        />
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={form.adminsMayApprove}
            onChange={(e) => setForm({ ...form, adminsMayApprove: e.target.checked })}
          />
          Admins may approve
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={form.authorMayApprove}
            onChange={(e) => setForm({ ...form, authorMayApprove: e.target.checked })}
          />
          The rollout&apos;s author may approve
        </label>
        <div className="sm:col-span-2">
          <Button type="submit" pending={create.isPending}>
            Add policy
          </Button>
        </div>
        {create.error && Object.keys(fields).length === 0 ? <Alert>{create.error.message}</Alert> : null}
      </form>
    </Section>
  );
}
