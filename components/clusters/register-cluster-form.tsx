"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { KeyValueEditor, recordFromRows, type KeyValueRow } from "@/components/ui/key-value-editor";
import { TextareaField } from "@/components/ui/textarea-field";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { registerCluster, testUnsavedConnection } from "@/lib/api/clusters";
import { labelKeyProblem, labelValueProblem } from "@/lib/k8s/labels";
import { ConnectionTestResult } from "./connection-test-result";
import { CredentialFields, credentialFromDraft, emptyCredential, type CredentialDraft } from "./credential-fields";

const labelProblem = (row: KeyValueRow) => labelKeyProblem(row.key) ?? labelValueProblem(row.value);
const variableProblem = (row: KeyValueRow) =>
  /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(row.key) ? null : "letters, digits and _, not starting with a digit";

export function RegisterClusterForm() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [server, setServer] = useState("");
  const [caData, setCaData] = useState("");
  const [insecure, setInsecure] = useState(false);
  const [description, setDescription] = useState("");
  const [credential, setCredential] = useState<CredentialDraft>(emptyCredential);
  const [labels, setLabels] = useState<KeyValueRow[]>([]);
  const [variables, setVariables] = useState<KeyValueRow[]>([]);

  const connection = () => ({
    server: server.trim(),
    caData: caData.trim() || null,
    insecureSkipTlsVerify: insecure,
    credential: credentialFromDraft(credential),
  });
  const test = useMutation({ mutationFn: () => testUnsavedConnection(connection()) });
  const register = useMutation({
    mutationFn: () =>
      registerCluster({
        ...connection(),
        name: name.trim(),
        description,
        labels: recordFromRows(labels),
        variables: recordFromRows(variables),
      }),
    onSuccess: (cluster) => router.push(`/clusters/${cluster.id}`),
  });
  const error =
    (register.error ?? test.error) instanceof ApiError ? ((register.error ?? test.error) as ApiError) : null;
  const fields = error?.fields ?? {};
  const nested = (prefix: string) =>
    Object.fromEntries(
      Object.entries(fields)
        .filter(([key]) => key.startsWith(`${prefix}.`))
        .map(([key, value]) => [key.slice(prefix.length + 1), value]),
    );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    test.reset();
    register.mutate();
  };

  return (
    <form onSubmit={submit} className="max-w-2xl space-y-5" noValidate>
      {error && error.code !== "validation_failed" ? <Alert>{error.message}</Alert> : null}
      {error?.code === "validation_failed" ? <Alert>Check the highlighted fields: nothing was saved.</Alert> : null}
      <TextField
        label="Name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        errors={fields.name}
        hint="Lower-case letters, digits and '-', e.g. prod-eu-1"
        autoFocus
        required
      />
      <TextField
        label="API server URL"
        value={server}
        onChange={(e) => setServer(e.target.value)}
        errors={fields.server}
        placeholder="https://api.prod-eu-1.example.com:6443"
        required
      />
      <TextareaField
        label="CA bundle (PEM)"
        rows={4}
        value={caData}
        onChange={(e) => setCaData(e.target.value)}
        errors={fields.caData}
        hint="Leave empty to trust the system's certificate authorities."
      />
      <div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} />
          Skip TLS verification
        </label>
        {insecure ? (
          <div className="mt-2">
            <Alert tone="warning">
              Without TLS verification anyone on the network path can impersonate this cluster and read its credential.
              The cluster will be flagged everywhere.
            </Alert>
          </div>
        ) : null}
      </div>
      <CredentialFields value={credential} onChange={setCredential} errors={fields} />
      <TextField
        label="Description"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        errors={fields.description}
      />
      <KeyValueEditor
        legend="Labels"
        rows={labels}
        onChange={setLabels}
        problemOf={labelProblem}
        errors={nested("labels")}
        keyPlaceholder="env"
        valuePlaceholder="prod"
        addLabel="Add label"
      />
      <KeyValueEditor
        legend="Variables"
        rows={variables}
        onChange={setVariables}
        problemOf={variableProblem}
        errors={nested("variables")}
        keyPlaceholder="region"
        valuePlaceholder="eu-west-1"
        addLabel="Add variable"
      />

      {test.data ? <ConnectionTestResult result={test.data} /> : null}
      <div className="flex gap-2">
        <Button
          type="button"
          variant="secondary"
          pending={test.isPending}
          onClick={() => {
            register.reset();
            test.mutate();
          }}
        >
          Test connection
        </Button>
        <Button type="submit" pending={register.isPending}>
          Register cluster
        </Button>
      </div>
    </form>
  );
}
