"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { updateAuthSettings } from "@/lib/api/sso";
import { authSettingsQuery, ssoKeys } from "@/lib/queries/sso";
import type { AuthSettingsView } from "@/lib/schemas/sso";

/** Password sign-in for everyone, or only for the named local admins (break-glass). */
export function AuthSettingsForm() {
  const query = useQuery(authSettingsQuery());
  return (
    <Section title="Password sign-in">
      <QueryState isPending={query.isPending} error={query.error} label="Sign-in settings">
        {query.data ? <SettingsForm settings={query.data} /> : null}
      </QueryState>
    </Section>
  );
}

function SettingsForm({ settings }: { settings: AuthSettingsView }) {
  const queryClient = useQueryClient();
  const [passwordSignIn, setPasswordSignIn] = useState(settings.passwordSignIn);
  const [emails, setEmails] = useState(settings.breakGlassEmails.join(", "));
  const save = useMutation({
    mutationFn: () =>
      updateAuthSettings({
        passwordSignIn,
        breakGlassEmails: emails
          .split(/[\s,]+/)
          .map((e) => e.trim())
          .filter(Boolean),
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ssoKeys.settings }),
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const locked = settings.lockedByEnv;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {locked ? <Alert tone="info">Set by ARCHIPELAGO_PASSWORD_SIGNIN / ARCHIPELAGO_BREAK_GLASS_ADMINS.</Alert> : null}
      {error ? <Alert>{error.message}</Alert> : null}
      {save.isSuccess ? <Alert tone="success">Saved.</Alert> : null}
      <fieldset disabled={locked} className="space-y-4">
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={passwordSignIn}
            onChange={(event) => setPasswordSignIn(event.target.checked)}
          />
          Everyone may sign in with a local password
        </label>
        <TextField
          label="Break-glass admins"
          value={emails}
          onChange={(event) => setEmails(event.target.value)}
          errors={error?.fields.breakGlassEmails}
          hint="Local admins who may always sign in with their password, e.g. when the identity provider is down"
        />
        <Button type="submit" pending={save.isPending}>
          Save
        </Button>
      </fieldset>
    </form>
  );
}
