"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { Section } from "@/components/ui/section";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { createToken, revokeToken } from "@/lib/api/access";
import { accessKeys, tokensQuery } from "@/lib/queries/access";

const EXPIRY = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "Never" },
];

export function ApiTokens() {
  const queryClient = useQueryClient();
  const query = useQuery(tokensQuery());
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState("90");
  const create = useMutation({
    mutationFn: () => createToken({ name, expiresInDays: expiry === "never" ? null : Number(expiry) }),
    onSuccess: () => {
      setName("");
      void queryClient.invalidateQueries({ queryKey: accessKeys.tokens });
    },
  });
  const revoke = useMutation({
    mutationFn: revokeToken,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accessKeys.tokens }),
  });
  const error = create.error instanceof ApiError ? create.error : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <div className="space-y-6">
      <Section title="New token">
        <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[2fr_1fr_auto] sm:items-end" noValidate>
          <TextField
            label="Token name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            errors={error?.fields.name}
            placeholder="ci-pipeline"
          />
          <SelectField label="Expires" value={expiry} onChange={(e) => setExpiry(e.target.value)} options={EXPIRY} />
          <Button type="submit" pending={create.isPending}>
            Create token
          </Button>
        </form>
        {create.data ? (
          <div className="mt-4">
            <Alert tone="success" title="Copy the token now: it is not shown again">
              <code data-testid="new-token" className="block break-all rounded bg-white/70 p-2 font-mono text-xs">
                {create.data.token}
              </code>
            </Alert>
          </div>
        ) : null}
      </Section>
      <Section title="Your tokens">
        <QueryState isPending={query.isPending} error={query.error} label="Tokens">
          {query.data?.length === 0 ? <p className="text-sm text-slate-500">No tokens yet.</p> : null}
          <ul className="divide-y divide-slate-100">
            {query.data?.map((token) => (
              <li
                key={token.id}
                data-testid={`token-${token.name}`}
                className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm"
              >
                <div>
                  <span className="font-medium">{token.name}</span>{" "}
                  <code className="font-mono text-xs text-slate-500">{token.prefix}…</code>
                  <p className="text-xs text-slate-500">
                    {token.revokedAt ? (
                      "revoked"
                    ) : token.expiresAt ? (
                      <>
                        expires <RelativeTime iso={token.expiresAt} />
                      </>
                    ) : (
                      "never expires"
                    )}
                    {token.lastUsedAt ? (
                      <>
                        {" "}
                        · last used <RelativeTime iso={token.lastUsedAt} />
                      </>
                    ) : (
                      " · never used"
                    )}
                  </p>
                </div>
                {!token.revokedAt ? (
                  <Button variant="danger" onClick={() => revoke.mutate(token.id)}>
                    Revoke
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        </QueryState>
      </Section>
    </div>
  );
}
