"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { KeyValueEditor, recordFromRows, rowsFromRecord } from "@/components/ui/key-value-editor";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import type { ClusterView } from "@/lib/api/cluster-types";
import { updateCluster } from "@/lib/api/clusters";
import { labelKeyProblem, labelValueProblem } from "@/lib/k8s/labels";
import { clusterKeys } from "@/lib/queries/clusters";

/** Labels, variables and description. Connection settings change by re-registering or replacing the credential. */
export function EditClusterForm({ cluster }: { cluster: ClusterView }) {
  const queryClient = useQueryClient();
  const [description, setDescription] = useState(cluster.description);
  const [labels, setLabels] = useState(rowsFromRecord(cluster.labels));
  const [variables, setVariables] = useState(rowsFromRecord(cluster.variables));
  const [impersonate, setImpersonate] = useState(cluster.impersonateUsers);
  const save = useMutation({
    mutationFn: () =>
      updateCluster(cluster.id, {
        description,
        labels: recordFromRows(labels),
        variables: recordFromRows(variables),
        impersonateUsers: impersonate,
      }),
    onSuccess: (updated) => {
      queryClient.setQueryData(clusterKeys.detail(cluster.id), updated);
      void queryClient.invalidateQueries({ queryKey: clusterKeys.all });
    },
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const nested = (prefix: string) =>
    Object.fromEntries(
      Object.entries(error?.fields ?? {})
        .filter(([k]) => k.startsWith(`${prefix}.`))
        .map(([k, v]) => [k.slice(prefix.length + 1), v]),
    );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {error ? (
        <Alert>
          {error.code === "validation_failed" ? "Check the highlighted fields: nothing was saved." : error.message}
        </Alert>
      ) : null}
      {save.isSuccess ? <Alert tone="success">Saved.</Alert> : null}
      <TextField
        label="Description"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        errors={error?.fields.description}
      />
      <KeyValueEditor
        legend="Labels"
        rows={labels}
        onChange={setLabels}
        problemOf={(row) => labelKeyProblem(row.key) ?? labelValueProblem(row.value)}
        errors={nested("labels")}
        addLabel="Add label"
      />
      <KeyValueEditor
        legend="Variables"
        rows={variables}
        onChange={setVariables}
        problemOf={(row) =>
          /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(row.key) ? null : "letters, digits and _, not starting with a digit"
        }
        errors={nested("variables")}
        addLabel="Add variable"
      />
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          className="mt-1"
          checked={impersonate}
          onChange={(e) => setImpersonate(e.target.checked)}
        />
        <span>
          Impersonate users on this cluster
          <span className="block text-xs text-slate-500">
            Calls made for a user carry Impersonate-User (their email) and Impersonate-Group (their teams), so the
            cluster&apos;s RBAC enforces the same boundaries. Archipelago&apos;s credential then needs the impersonate
            verb.
          </span>
        </span>
      </label>
      <Button type="submit" pending={save.isPending}>
        Save changes
      </Button>
    </form>
  );
}
