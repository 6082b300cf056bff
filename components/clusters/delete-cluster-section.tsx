"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { deleteCluster } from "@/lib/api/clusters";
import { clusterKeys } from "@/lib/queries/clusters";

/** Deleting needs the cluster's name typed out: a slip of the mouse must not forget a cluster. */
export function DeleteClusterSection({ clusterId, name }: { clusterId: string; name: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const remove = useMutation({
    mutationFn: () => deleteCluster(clusterId),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: clusterKeys.detail(clusterId) });
      await queryClient.invalidateQueries({ queryKey: clusterKeys.all });
      router.push("/clusters");
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (typed === name) remove.mutate();
  };
  return (
    <form onSubmit={submit} className="space-y-3">
      <p className="text-sm text-slate-700">
        Deleting removes the cluster and its encrypted credential from Archipelago. Nothing in the cluster itself
        changes.
      </p>
      {remove.error ? <Alert>{remove.error.message}</Alert> : null}
      <TextField
        label={`Type ${name} to confirm`}
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        autoComplete="off"
      />
      <Button type="submit" variant="danger" disabled={typed !== name} pending={remove.isPending}>
        Delete cluster
      </Button>
    </form>
  );
}
