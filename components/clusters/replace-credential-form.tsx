"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/api/client";
import { replaceCredential } from "@/lib/api/clusters";
import { clusterKeys } from "@/lib/queries/clusters";
import { CredentialFields, credentialFromDraft, emptyCredential } from "./credential-fields";

export function ReplaceCredentialForm({ clusterId }: { clusterId: string }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(emptyCredential);
  const replace = useMutation({
    mutationFn: () => replaceCredential(clusterId, credentialFromDraft(draft)),
    onSuccess: (updated) => {
      setDraft(emptyCredential);
      queryClient.setQueryData(clusterKeys.detail(clusterId), updated);
      void queryClient.invalidateQueries({ queryKey: clusterKeys.all });
    },
  });
  const error = replace.error instanceof ApiError ? replace.error : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    replace.mutate();
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <p className="text-sm text-slate-600">
        The current credential cannot be viewed. Saving a new one replaces it and resets the status until the next
        check.
      </p>
      {error && error.code !== "validation_failed" ? <Alert>{error.message}</Alert> : null}
      {replace.isSuccess ? <Alert tone="success">Credential replaced.</Alert> : null}
      <CredentialFields value={draft} onChange={setDraft} errors={error?.fields ?? {}} />
      <Button type="submit" pending={replace.isPending}>
        Replace credential
      </Button>
    </form>
  );
}
