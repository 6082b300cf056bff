import "server-only";
import { isSecretMarker, openSecretParams } from "@/lib/server/secrets/sealed-params";
import { setPath } from "@/lib/server/templates/secret-schema";

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

/**
 * Stored parameters made ready to render for a cluster: each sealed marker replaced by its
 * opened value. Called only on the way to a cluster (apply, dry-run, drift); the result lives
 * in memory for that render and is never stored or returned.
 */
export async function paramsForRender(
  releaseId: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const markers = markersIn(params);
  if (markers.size === 0) return params;
  const values = await openSecretParams(releaseId, markers);
  let result = params;
  for (const [path, value] of values) result = setPath(result, path, value);
  return result;
}
