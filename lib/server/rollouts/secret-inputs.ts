import "server-only";
import { db } from "@/lib/server/db/client";
import type { FieldErrors } from "@/lib/server/errors/app-error";
import { isSecretMarker } from "@/lib/server/secrets/sealed-params";
import { validateParams } from "@/lib/server/templates/parameter-schema";
import {
  getPath,
  schemaWithout,
  secretParamSpecs,
  SECRET_VALUE_MAX_BYTES,
  setPath,
  type SecretParamSpec,
} from "@/lib/server/templates/secret-schema";

/**
 * Splits a rollout's parameters into plain ones and sealed secret ones. A secret parameter is
 * either entered now (a new value, sealed when the rollout is written) or left empty, which
 * keeps the release's current value (the marker of its newest rollout): rotating a secret is a
 * rollout with a new value, and any other rollout of the release keeps it. A rollback names
 * the markers its revision ran with (`sealed`). Values are checked here (size, base64) with
 * errors that name the parameter and never quote the value.
 */

export interface SecretInputs {
  /** Sealed secret parameters. */
  specs: SecretParamSpec[];
  /** Secret references (their values are plain references, kept in `params`). */
  references: SecretParamSpec[];
  /** Validated parameters: plain ones (defaults filled) plus the values entered now; kept ones absent. */
  params: Record<string, unknown>;
  newValues: Map<string, string>;
  /** Kept values: path → sealed row id. */
  kept: Map<string, string>;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The release's current secret markers: those of its newest rollout. */
export async function currentSecretMarkers(releaseId: string | null, specs: SecretParamSpec[]) {
  const markers = new Map<string, string>();
  if (!releaseId || specs.length === 0) return markers;
  const latest = await db().rollout.findFirst({
    where: { releaseId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { params: true },
  });
  const params = latest?.params && typeof latest.params === "object" ? (latest.params as Record<string, unknown>) : {};
  for (const spec of specs) {
    const value = getPath(params, spec.path);
    if (isSecretMarker(value)) markers.set(spec.path, value.$secret);
  }
  return markers;
}

export async function readSecretInputs(
  schema: object,
  requested: Record<string, unknown>,
  releaseId: string | null,
  sealed?: Record<string, string>,
): Promise<{ ok: true; value: SecretInputs } | { ok: false; errors: FieldErrors }> {
  const all = secretParamSpecs(schema);
  const specs = all.filter((spec) => spec.kind === "sealed");
  const problems: FieldErrors = {};
  const current = sealed ? new Map(Object.entries(sealed)) : await currentSecretMarkers(releaseId, specs);
  const newValues = new Map<string, string>();
  const kept = new Map<string, string>();
  let plain = requested;
  for (const spec of specs) {
    const field = `params.${spec.path}`;
    const value = sealed ? undefined : getPath(requested, spec.path);
    if (typeof value === "string" && value !== "") {
      const bytes = Buffer.byteLength(value, "utf8");
      if (bytes > SECRET_VALUE_MAX_BYTES)
        problems[field] = [`The value is ${(bytes / 1048576).toFixed(2)} MiB; a Kubernetes Secret holds at most 1 MiB`];
      else if (spec.base64 && (!BASE64.test(value) || Buffer.from(value, "base64").toString("base64") !== value))
        problems[field] = ["The value must be base64 (this parameter holds binary data)"];
      else newValues.set(spec.path, value);
      continue;
    }
    if (value !== undefined && value !== null && value !== "") {
      problems[field] = ["A secret parameter takes a string; leave it empty to keep the current value"];
      continue;
    }
    const marker = current.get(spec.path);
    if (marker) kept.set(spec.path, marker);
    else if (spec.required)
      problems[field] = ["Enter a value: this secret parameter is required and the release has no current value"];
    plain = setPath(plain, spec.path, undefined);
  }
  const validated = validateParams(schemaWithout(schema, [...kept.keys()]), plain);
  // A secret parameter already named above keeps its own message (the schema would only say "required").
  if (!validated.ok) for (const [field, messages] of Object.entries(validated.errors)) problems[field] ??= messages;
  if (Object.keys(problems).length || !validated.ok) return { ok: false, errors: problems };
  return {
    ok: true,
    value: {
      specs,
      references: all.filter((spec) => spec.kind === "reference"),
      params: validated.value,
      newValues,
      kept,
    },
  };
}

/** The parameters as stored: each secret path holds its marker, never a value. */
export function storedParams(inputs: SecretInputs, newIds: Map<string, string>): Record<string, unknown> {
  let stored = inputs.params;
  for (const spec of inputs.specs) stored = setPath(stored, spec.path, undefined);
  for (const [path, id] of [...inputs.kept, ...newIds]) stored = setPath(stored, path, { $secret: id });
  return stored;
}
