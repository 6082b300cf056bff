import "server-only";
import { createHmac, randomBytes } from "node:crypto";

/**
 * The one place that turns a Kubernetes object into something that may leave the server.
 * Every path that shows or stores an object (preview diffs, dry-run results, manifests,
 * object details, compare, drift) calls `maskObject` with the object's reference, which
 * the caller carries alongside the object (from the manifest, the outcome or the request).
 * Whether an object is a Secret is decided from that reference, never from a field of the
 * object: a comparable copy or a partial read may lack `kind`.
 *
 * What is masked:
 * - on a Secret: every value of `data` and `stringData`; everything else that is not
 *   identity, type or metadata is dropped (an allowlist, so a new field cannot leak);
 * - on every kind: annotations that can hold a whole object, values included
 *   (`kubectl.kubernetes.io/last-applied-configuration`, written by `kubectl apply`).
 *
 * A masked value reads "(hidden)" or, with a per-request masker, "(hidden, fingerprint
 * …)": an HMAC under a random key that lives only for that request, so a diff still shows
 * which values changed without anything that can be guessed offline or matched across
 * requests (a plain sha256 of a short value can).
 */

/** What identifies an object; `kind` and `apiVersion` come from the caller's reference. */
export interface ObjectIdentity {
  apiVersion?: string;
  kind: string;
}

/** Annotations that can carry an object's full content, Secret values included. */
export const VALUE_BEARING_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];

/** Fields of a Secret that may be shown (values masked); the rest is dropped. */
const SECRET_FIELDS = new Set(["apiVersion", "kind", "metadata", "type", "immutable", "data", "stringData"]);

export const isSecretRef = (ref: ObjectIdentity): boolean =>
  ref.kind === "Secret" && (ref.apiVersion === undefined || ref.apiVersion === "v1");

export interface SecretMasker {
  /** The marker shown instead of a value (bytes as stored, i.e. base64 data decoded). */
  mark(value: Buffer): string;
}

/** Shows that a value exists, nothing else. */
export const hiddenMasker: SecretMasker = { mark: () => "(hidden)" };

/** Equal values get equal markers within this masker's life only (one request). */
export function requestMasker(): SecretMasker & { fingerprint: (value: Buffer) => string } {
  const key = randomBytes(32);
  const fingerprint = (value: Buffer) => createHmac("sha256", key).update(value).digest("hex").slice(0, 12);
  return { fingerprint, mark: (value) => `(hidden, fingerprint ${fingerprint(value)})` };
}

/** A per-request HMAC for equality checks without a value (compare across clusters). */
export function requestDigester(): (value: Buffer) => string {
  const key = randomBytes(32);
  return (value) => createHmac("sha256", key).update(value).digest("hex");
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

function maskValues(values: unknown, masker: SecretMasker, encoding: "base64" | "utf8"): Record<string, string> {
  return Object.fromEntries(
    Object.entries(asRecord(values)).map(([key, value]) => [
      key,
      masker.mark(Buffer.from(typeof value === "string" ? value : JSON.stringify(value ?? null), encoding)),
    ]),
  );
}

function maskMetadata(metadata: unknown, masker: SecretMasker): Record<string, unknown> | undefined {
  if (metadata === undefined) return undefined;
  const copy = { ...asRecord(metadata) };
  if (copy.annotations && typeof copy.annotations === "object") {
    const annotations = { ...asRecord(copy.annotations) };
    for (const key of VALUE_BEARING_ANNOTATIONS)
      if (key in annotations) annotations[key] = masker.mark(Buffer.from(String(annotations[key]), "utf8"));
    copy.annotations = annotations;
  }
  return copy;
}

/**
 * A copy of `object` safe to show: see the module comment. `ref` is the object's
 * reference as the caller knows it (never read from `object`).
 */
export function maskObject<T extends object>(
  ref: ObjectIdentity,
  object: T,
  masker: SecretMasker = hiddenMasker,
): Record<string, unknown> {
  const source = object as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  const secret = isSecretRef(ref);
  for (const [key, value] of Object.entries(source)) {
    if (secret && !SECRET_FIELDS.has(key)) continue;
    if (key === "metadata") copy.metadata = maskMetadata(value, masker);
    else if (secret && key === "data") copy.data = maskValues(value, masker, "base64");
    else if (secret && key === "stringData") copy.stringData = maskValues(value, masker, "utf8");
    else copy[key] = value;
  }
  return copy;
}

/** `maskObject` for an object that may be absent. */
export const maskOptional = (
  ref: ObjectIdentity,
  object: Record<string, unknown> | null | undefined,
  masker?: SecretMasker,
): Record<string, unknown> | null => (object ? maskObject(ref, object, masker) : null);
