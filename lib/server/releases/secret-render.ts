import "server-only";
import { secretReferenceSchema } from "@/lib/schemas/templates";
import type { SecretReference } from "@/lib/schemas/templates";
import { db } from "@/lib/server/db/client";
import { secretDigest } from "@/lib/server/secrets/digest-key";
import { isSecretMarker, openSecretParams } from "@/lib/server/secrets/sealed-params";
import { getPath, secretParamSpecs, setPath } from "@/lib/server/templates/secret-schema";
import type { AccessProfile } from "@/lib/server/access/policy";
import { storedParamsSchema } from "./columns";
import { readSourceSecret, SourceSecretError } from "./secret-source";

/** Every sealed marker in stored parameters: dotted path → sealed row id. */
export function markersIn(params: Record<string, unknown>, prefix = ""): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(params)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isSecretMarker(value)) found.set(path, value.$secret);
    else if (value && typeof value === "object" && !Array.isArray(value))
      for (const [inner, id] of markersIn(value as Record<string, unknown>, path)) found.set(inner, id);
  }
  return found;
}

export interface RenderInputs {
  params: Record<string, unknown>;
  /** Per secret reference: a keyed digest of the data read now (compared at the next drift check). */
  sourceDigests: Record<string, string>;
  /** Removes every secret value this render used from a text (a cluster's error message can quote one). */
  scrub: (text: string) => string;
}

/** A scrubber for these values, plain and base64; short values are left (they would mangle every message). */
export function scrubberFor(values: string[]): (text: string) => string {
  const needles = [
    ...new Set(values.flatMap((value) => [value, Buffer.from(value, "utf8").toString("base64")])),
  ].filter((needle) => needle.length >= 4);
  needles.sort((a, b) => b.length - a.length);
  return (text) => needles.reduce((result, needle) => result.split(needle).join("(secret value)"), text);
}

/** A digest of a Secret's data that does not depend on key order. */
export const sourceDataDigest = (data: Record<string, string>) =>
  secretDigest(
    "secret-reference",
    JSON.stringify(
      Object.keys(data)
        .sort()
        .map((key) => [key, data[key]]),
    ),
  );

/**
 * Stored parameters made ready to render for a cluster: each sealed marker replaced by its
 * opened value, and each secret reference by its source's data (key → base64), read now for
 * `reader` (decided by readSourceSecret: reveal on the source, else refused). Called only on the way to a cluster (apply, dry-run, drift); the result lives in
 * memory for that render and is never stored or returned. A source that cannot be read throws
 * SourceSecretError with a plain reason: the caller fails the target, nothing is applied or removed.
 */
export async function paramsForRender(
  releaseId: string,
  params: Record<string, unknown>,
  options: { schema: unknown; reader: AccessProfile | null },
): Promise<RenderInputs> {
  let result = params;
  const used: string[] = [];
  const markers = markersIn(params);
  if (markers.size)
    for (const [path, value] of await openSecretParams(releaseId, markers)) {
      result = setPath(result, path, value);
      used.push(value);
    }
  const sourceDigests: Record<string, string> = {};
  for (const spec of secretParamSpecs(options.schema)) {
    if (spec.kind !== "reference") continue;
    const value = getPath(params, spec.path);
    if (value === undefined || value === null) continue;
    const ref = secretReferenceSchema.safeParse(value);
    if (!ref.success) throw new SourceSecretError(`Secret reference ${spec.path} is not a valid reference`);
    let data: Record<string, string>;
    try {
      data = await readSourceSecret(ref.data, options.reader);
    } catch (error) {
      // Named by its parameter path only: whoever sees the target may not see the source.
      if (error instanceof SourceSecretError)
        throw new SourceSecretError(`Secret reference ${spec.path}: ${error.message}`);
      throw error;
    }
    sourceDigests[spec.path] = await sourceDataDigest(data);
    result = setPath(result, spec.path, data);
    for (const encoded of Object.values(data)) used.push(encoded, Buffer.from(encoded, "base64").toString("utf8"));
  }
  return { params: result, sourceDigests, scrub: scrubberFor(used) };
}

/**
 * Every secret reference the release's clusters render with now (their stored parameters under
 * their revisions' schemas), with its parameter path: what a drift check or heal would read.
 */
export async function releaseReferences(releaseId: string): Promise<Array<{ path: string; ref: SecretReference }>> {
  const rows = await db().releaseCluster.findMany({ where: { releaseId }, select: { params: true, revisionId: true } });
  const schemas = new Map(
    (
      await db().templateRevision.findMany({
        where: { id: { in: [...new Set(rows.map((row) => row.revisionId))] } },
        select: { id: true, schema: true },
      })
    ).map((revision) => [revision.id, revision.schema]),
  );
  const found = new Map<string, { path: string; ref: SecretReference }>();
  for (const row of rows) {
    const parsed = storedParamsSchema.safeParse(row.params);
    const params = parsed.success ? parsed.data : {};
    for (const spec of secretParamSpecs(schemas.get(row.revisionId) ?? {})) {
      if (spec.kind !== "reference") continue;
      const ref = secretReferenceSchema.safeParse(getPath(params, spec.path));
      if (ref.success) found.set(JSON.stringify([spec.path, ref.data]), { path: spec.path, ref: ref.data });
    }
  }
  return [...found.values()];
}
