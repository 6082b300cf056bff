"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { createSsoProvider, updateSsoProvider } from "@/lib/api/sso";
import { teamsQuery } from "@/lib/queries/access";
import { ssoKeys } from "@/lib/queries/sso";
import { DEFAULT_CLUSTER_GROUP_PREFIX, type SsoProviderView } from "@/lib/schemas/sso";
import { MappingsEditor, type MappingRow } from "./mappings-editor";
import { TestResultView, useConfigurationTest } from "./test-result";

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter(Boolean);

/**
 * Create or edit a provider. The client secret is write-only: an edit leaves it as it is
 * unless a new one is typed. Providers from ARCHIPELAGO_SSO_PROVIDERS are shown read-only.
 */
export function ProviderForm({ provider, onDone }: { provider?: SsoProviderView; onDone: () => void }) {
  const queryClient = useQueryClient();
  const teams = useQuery(teamsQuery());
  const locked = provider?.managedByEnv ?? false;
  const [form, setForm] = useState({
    slug: provider?.slug ?? "",
    displayName: provider?.displayName ?? "",
    issuer: provider?.issuer ?? "",
    clientId: provider?.clientId ?? "",
    clientSecret: "",
    scopes: (provider?.scopes ?? ["openid", "email", "profile", "groups"]).join(" "),
    emailClaim: provider?.emailClaim ?? "email",
    nameClaim: provider?.nameClaim ?? "name",
    groupsClaim: provider?.groupsClaim ?? "groups",
    allowedEmailDomains: (provider?.allowedEmailDomains ?? []).join(", "),
    sendGroupsToClusters: provider?.sendGroupsToClusters ?? true,
    clusterGroupPrefix: provider?.clusterGroupPrefix ?? DEFAULT_CLUSTER_GROUP_PREFIX,
    enabled: provider?.enabled ?? true,
  });
  const [mappings, setMappings] = useState<MappingRow[]>(
    provider?.mappings.map((m) => ({
      group: m.group,
      target: m.admin ? "admin" : (m.teamId ?? ""),
      role: (m.role as "member" | "maintainer" | null) ?? "member",
    })) ?? [],
  );
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [key]: event.target.value }));
  const body = () => ({
    slug: form.slug,
    displayName: form.displayName,
    issuer: form.issuer,
    clientId: form.clientId,
    ...(form.clientSecret ? { clientSecret: form.clientSecret } : {}),
    scopes: list(form.scopes),
    emailClaim: form.emailClaim,
    nameClaim: form.nameClaim,
    groupsClaim: form.groupsClaim,
    allowedEmailDomains: list(form.allowedEmailDomains),
    sendGroupsToClusters: form.sendGroupsToClusters,
    clusterGroupPrefix: form.clusterGroupPrefix,
    enabled: form.enabled,
    mappings: mappings
      .filter((m) => m.group.trim())
      .map((m) =>
        m.target === "admin"
          ? { group: m.group.trim(), admin: true }
          : { group: m.group.trim(), teamId: m.target, role: m.role },
      ),
  });
  const save = useMutation({
    mutationFn: () =>
      provider
        ? updateSsoProvider(provider.id, body())
        : createSsoProvider({ ...body(), clientSecret: form.clientSecret }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ssoKeys.providers });
      onDone();
    },
  });
  const test = useConfigurationTest();
  const error = save.error instanceof ApiError ? save.error : null;
  const fields = error?.fields ?? {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <form onSubmit={submit} className="space-y-4" noValidate aria-label="Identity provider">
      {locked ? (
        <Alert tone="info">Configured by ARCHIPELAGO_SSO_PROVIDERS: change it in the environment.</Alert>
      ) : null}
      {error ? (
        <Alert>{error.code === "validation_failed" ? "Check the highlighted fields." : error.message}</Alert>
      ) : null}
      <fieldset disabled={locked} className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Display name"
          value={form.displayName}
          onChange={set("displayName")}
          errors={fields.displayName}
        />
        <TextField
          label="Slug"
          value={form.slug}
          onChange={set("slug")}
          errors={fields.slug}
          hint="Used in the sign-in link, e.g. corp"
        />
        <TextField
          label="Issuer URL"
          value={form.issuer}
          onChange={set("issuer")}
          errors={fields.issuer}
          hint="https://… (plain http only on loopback)"
        />
        <TextField label="Client id" value={form.clientId} onChange={set("clientId")} errors={fields.clientId} />
        <TextField
          label="Client secret"
          type="password"
          autoComplete="off"
          value={form.clientSecret}
          onChange={set("clientSecret")}
          errors={fields.clientSecret}
          hint={
            provider
              ? "Stored sealed and never shown; type a new one to replace it"
              : "Stored sealed and never shown again"
          }
        />
        <TextField label="Scopes" value={form.scopes} onChange={set("scopes")} errors={fields.scopes} />
        <TextField
          label="Email claim"
          value={form.emailClaim}
          onChange={set("emailClaim")}
          errors={fields.emailClaim}
        />
        <TextField label="Name claim" value={form.nameClaim} onChange={set("nameClaim")} errors={fields.nameClaim} />
        <TextField
          label="Groups claim"
          value={form.groupsClaim}
          onChange={set("groupsClaim")}
          errors={fields.groupsClaim}
          hint="Dots reach into objects, e.g. realm_access.roles"
        />
        <TextField
          label="Allowed email domains"
          value={form.allowedEmailDomains}
          onChange={set("allowedEmailDomains")}
          errors={fields.allowedEmailDomains}
          hint="Comma-separated; empty allows any"
        />
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={form.sendGroupsToClusters}
            onChange={(event) => setForm((f) => ({ ...f, sendGroupsToClusters: event.target.checked }))}
          />
          Send provider groups to impersonating clusters (besides team names)
        </label>
        <TextField
          label="Cluster group prefix"
          value={form.clusterGroupPrefix}
          onChange={set("clusterGroupPrefix")}
          errors={fields.clusterGroupPrefix}
          hint="Required when groups are sent, e.g. oidc: (never system:)"
        />
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={form.enabled}
            onChange={(event) => setForm((f) => ({ ...f, enabled: event.target.checked }))}
          />
          Enabled (shown on the sign-in page)
        </label>
      </fieldset>
      <MappingsEditor
        rows={mappings}
        onChange={setMappings}
        teams={teams.data ?? []}
        disabled={locked}
        errors={fields}
      />
      <TestResultView test={test} />
      <div className="flex flex-wrap gap-2">
        {!locked ? (
          <Button type="submit" pending={save.isPending}>
            {provider ? "Save" : "Add provider"}
          </Button>
        ) : null}
        <Button
          type="button"
          variant="secondary"
          pending={test.isPending}
          onClick={() =>
            test.mutate(
              provider && !form.clientSecret
                ? { providerId: provider.id }
                : {
                    issuer: form.issuer,
                    clientId: form.clientId,
                    ...(form.clientSecret ? { clientSecret: form.clientSecret } : {}),
                  },
            )
          }
        >
          Test configuration
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
