"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useDeferredValue, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Section } from "@/components/ui/section";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { createGrant, deleteGrant, previewGrant } from "@/lib/api/access";
import { fetchClusters } from "@/lib/api/clusters";
import type { TeamDetailView } from "@/lib/api/team-types";
import { selectorProblem } from "@/lib/k8s/label-selector";
import { namespacePatternProblem } from "@/lib/k8s/namespace-patterns";
import { accessKeys } from "@/lib/queries/access";
import { ACCESS_LEVELS, SECRET_ACCESS, type AccessLevelValue, type SecretAccessValue } from "@/lib/schemas/access";

export function GrantsSection({ team }: { team: TeamDetailView }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (grantId: string) => deleteGrant(team.id, grantId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accessKeys.team(team.id) }),
  });
  return (
    <Section title="Grants">
      {team.grants.length === 0 ? (
        <p className="text-sm text-slate-500">This team has no grants: it sees no cluster.</p>
      ) : null}
      <ul className="space-y-2">
        {team.grants.map((grant) => (
          <li key={grant.id} className="rounded-md p-3 text-sm ring-1 ring-slate-200">
            <div className="flex flex-wrap items-start justify-between gap-2">
              <div className="space-y-1">
                <p>
                  <span className="font-semibold">{grant.level}</span> in namespaces{" "}
                  <code className="font-mono text-xs">{grant.namespaces.join(", ")}</code>
                  {grant.clusterScoped ? " and cluster-scoped objects" : ""}; secrets:{" "}
                  <span className="font-semibold">{grant.secrets}</span>
                </p>
                <p className="text-slate-600">
                  Clusters:{" "}
                  {grant.clusterSelector ? <code className="font-mono text-xs">{grant.clusterSelector}</code> : null}
                  {grant.clusterSelector && grant.clusterIds.length ? " plus " : null}
                  {grant.clusterIds.length ? `${grant.clusterIds.length} picked` : null} → matches now:{" "}
                  {grant.matchedClusters.length ? grant.matchedClusters.map((c) => c.name).join(", ") : "none"}
                </p>
              </div>
              {team.canManageGrants ? (
                <Button variant="ghost" onClick={() => remove.mutate(grant.id)}>
                  Delete grant
                </Button>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      {team.canManageGrants ? <GrantForm teamId={team.id} /> : null}
    </Section>
  );
}

function GrantForm({ teamId }: { teamId: string }) {
  const queryClient = useQueryClient();
  const [selector, setSelector] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  const [namespaces, setNamespaces] = useState("");
  const [level, setLevel] = useState<AccessLevelValue>("view");
  const [secrets, setSecrets] = useState<SecretAccessValue>("none");
  const [clusterScoped, setClusterScoped] = useState(false);

  const clusters = useQuery({ queryKey: ["clusters", "list", { all: true }], queryFn: () => fetchClusters({}) });
  const selectorError = selector ? selectorProblem(selector) : null;
  const deferredSelector = useDeferredValue(selector);
  const preview = useQuery({
    queryKey: ["grant-preview", deferredSelector, picked],
    queryFn: () => previewGrant({ clusterSelector: deferredSelector || null, clusterIds: picked }),
    enabled: !selectorProblem(deferredSelector) && (deferredSelector !== "" || picked.length > 0),
  });
  const patterns = namespaces.split(/[\s,]+/).filter(Boolean);
  const patternError = patterns.map(namespacePatternProblem).find(Boolean) ?? null;

  const create = useMutation({
    mutationFn: () =>
      createGrant(teamId, {
        clusterSelector: selector || null,
        clusterIds: picked,
        namespaces: patterns,
        clusterScoped,
        level,
        secrets,
      }),
    onSuccess: (team) => {
      queryClient.setQueryData(accessKeys.team(teamId), team);
      void queryClient.invalidateQueries({ queryKey: accessKeys.teamAccess(teamId) });
      setSelector("");
      setPicked([]);
      setNamespaces("");
    },
  });
  const error = create.error instanceof ApiError ? create.error : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <form onSubmit={submit} className="mt-4 space-y-3 border-t border-slate-100 pt-4" noValidate>
      <h3 className="text-sm font-semibold">Add a grant</h3>
      {error && error.code !== "validation_failed" ? <Alert>{error.message}</Alert> : null}
      <TextField
        label="Cluster label selector"
        value={selector}
        onChange={(e) => setSelector(e.target.value)}
        placeholder="env=prod"
        errors={selectorError ? [selectorError] : error?.fields.clusterSelector}
      />
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">and/or pick clusters</legend>
        <div className="mt-1 flex flex-wrap gap-3 text-sm">
          {clusters.data?.clusters.map((cluster) => (
            <label key={cluster.id} className="flex items-center gap-1">
              <input
                type="checkbox"
                checked={picked.includes(cluster.id)}
                onChange={(event) =>
                  setPicked((current) =>
                    event.target.checked ? [...current, cluster.id] : current.filter((id) => id !== cluster.id),
                  )
                }
              />
              {cluster.name}
            </label>
          ))}
        </div>
        {error?.fields.clusterIds ? (
          <p className="mt-1 text-sm text-red-600">{error.fields.clusterIds.join(" ")}</p>
        ) : null}
      </fieldset>
      <p className="text-sm text-slate-600" aria-live="polite" data-testid="grant-preview">
        Matches now:{" "}
        {preview.data ? (preview.data.length ? preview.data.map((c) => c.name).join(", ") : "no cluster") : "—"}
      </p>
      <TextField
        label="Namespaces"
        value={namespaces}
        onChange={(e) => setNamespaces(e.target.value)}
        placeholder="payments-*, checkout"
        hint="Names or globs (* and ?), comma-separated; * means every namespace."
        errors={patternError ? [patternError] : error?.fields.namespaces}
      />
      <div className="grid gap-3 sm:grid-cols-3">
        <SelectField
          label="Level"
          value={level}
          onChange={(e) => setLevel(e.target.value as AccessLevelValue)}
          options={ACCESS_LEVELS.map((v) => ({ value: v, label: v }))}
        />
        <SelectField
          label="Secrets"
          value={secrets}
          onChange={(e) => setSecrets(e.target.value as SecretAccessValue)}
          options={SECRET_ACCESS.map((v) => ({ value: v, label: v }))}
        />
        <label className="flex items-center gap-2 self-end pb-2 text-sm">
          <input type="checkbox" checked={clusterScoped} onChange={(e) => setClusterScoped(e.target.checked)} />
          Cluster-scoped objects too
        </label>
      </div>
      <Button type="submit" pending={create.isPending} disabled={Boolean(selectorError || patternError)}>
        Add grant
      </Button>
    </form>
  );
}
