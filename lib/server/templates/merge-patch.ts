import "server-only";

/**
 * JSON Merge Patch (RFC 7386), the override format: objects merge recursively, `null`
 * deletes a key, anything else replaces. The RFC's algorithm is a dozen lines; a library
 * would add a dependency for no gain.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return structuredClone(patch);
  const result: Record<string, unknown> =
    target && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
