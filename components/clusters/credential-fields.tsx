"use client";

import { TextareaField } from "@/components/ui/textarea-field";
import { TextField } from "@/components/ui/text-field";
import type { CredentialInput } from "@/lib/schemas/clusters";

export interface CredentialDraft {
  type: CredentialInput["type"];
  token: string;
  certificate: string;
  key: string;
}

export const emptyCredential: CredentialDraft = { type: "token", token: "", certificate: "", key: "" };

export function credentialFromDraft(draft: CredentialDraft): CredentialInput {
  return draft.type === "token"
    ? { type: "token", token: draft.token }
    : { type: "client_certificate", certificate: draft.certificate, key: draft.key };
}

interface Props {
  value: CredentialDraft;
  onChange: (value: CredentialDraft) => void;
  errors: Record<string, string[]>;
}

/** Token or client certificate + key. Values are write-only: nothing stored is ever shown here. */
export function CredentialFields({ value, onChange, errors }: Props) {
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-medium text-slate-800">Credential</legend>
      <div className="flex gap-4 text-sm">
        {(["token", "client_certificate"] as const).map((type) => (
          <label key={type} className="flex items-center gap-2">
            <input
              type="radio"
              name="credential-type"
              checked={value.type === type}
              onChange={() => onChange({ ...value, type })}
            />
            {type === "token" ? "Bearer token" : "Client certificate"}
          </label>
        ))}
      </div>
      {value.type === "token" ? (
        <TextField
          label="Token"
          type="password"
          autoComplete="off"
          value={value.token}
          onChange={(event) => onChange({ ...value, token: event.target.value })}
          errors={errors["credential.token"]}
        />
      ) : (
        <>
          <TextareaField
            label="Client certificate (PEM)"
            rows={4}
            value={value.certificate}
            onChange={(event) => onChange({ ...value, certificate: event.target.value })}
            errors={errors["credential.certificate"]}
          />
          <TextareaField
            label="Client key (PEM)"
            rows={4}
            value={value.key}
            onChange={(event) => onChange({ ...value, key: event.target.value })}
            errors={errors["credential.key"]}
            hint="Stored encrypted; it can be replaced later but never viewed."
          />
        </>
      )}
      {errors.credential ? <p className="text-sm text-red-600">{errors.credential.join(" ")}</p> : null}
    </fieldset>
  );
}
