"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { deleteSsoProvider } from "@/lib/api/sso";
import { ssoKeys, ssoProvidersQuery } from "@/lib/queries/sso";
import type { SsoProviderView } from "@/lib/schemas/sso";
import { ProviderForm } from "./provider-form";

export function SsoAdmin() {
  const query = useQuery(ssoProvidersQuery());
  const [editing, setEditing] = useState<string | "new" | null>(null);
  return (
    <Section
      title="Identity providers"
      actions={
        editing === null ? (
          <Button variant="secondary" onClick={() => setEditing("new")}>
            Add provider
          </Button>
        ) : null
      }
    >
      {editing === "new" ? (
        <div className="mb-6 border-b border-slate-100 pb-6">
          <ProviderForm onDone={() => setEditing(null)} />
        </div>
      ) : null}
      <QueryState isPending={query.isPending} error={query.error} label="Identity providers">
        {query.data?.length === 0 ? (
          <p className="text-sm text-slate-500">No provider yet: only local accounts sign in.</p>
        ) : null}
        <ul className="divide-y divide-slate-100">
          {query.data?.map((provider) =>
            editing === provider.id ? (
              <li key={provider.id} className="py-4">
                <ProviderForm provider={provider} onDone={() => setEditing(null)} />
              </li>
            ) : (
              <ProviderRow key={provider.id} provider={provider} onEdit={() => setEditing(provider.id)} />
            ),
          )}
        </ul>
      </QueryState>
    </Section>
  );
}

function ProviderRow({ provider, onEdit }: { provider: SsoProviderView; onEdit: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteSsoProvider(provider.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ssoKeys.providers }),
  });
  return (
    <li className="py-4 text-sm" data-testid={`sso-provider-${provider.slug}`}>
      {remove.error ? (
        <div className="mb-2">
          <Alert>{remove.error.message}</Alert>
        </div>
      ) : null}
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="font-medium">
            {provider.displayName} <span className="text-slate-500">({provider.slug})</span>
            {!provider.enabled ? <span className="ml-2 rounded bg-slate-100 px-1.5 text-xs">disabled</span> : null}
            {provider.managedByEnv ? (
              <span className="ml-2 rounded bg-amber-50 px-1.5 text-xs text-amber-800">from environment</span>
            ) : null}
          </p>
          <p className="text-slate-500">
            {provider.issuer} · client {provider.clientId} · {provider.userCount} user(s)
          </p>
          <ul className="mt-2 space-y-0.5 text-slate-700">
            {provider.mappings.map((m) => (
              <li key={m.id}>
                <code>{m.group}</code> → {m.admin ? "admin" : `team ${m.teamName} (${m.role})`}
              </li>
            ))}
          </ul>
        </div>
        <div className="flex gap-2">
          <Button variant="secondary" onClick={onEdit}>
            {provider.managedByEnv ? "View" : "Edit"}
          </Button>
          {!provider.managedByEnv ? (
            <Button variant="ghost" pending={remove.isPending} onClick={() => remove.mutate()}>
              Delete
            </Button>
          ) : null}
        </div>
      </div>
    </li>
  );
}
