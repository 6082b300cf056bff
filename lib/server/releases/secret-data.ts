import "server-only";
import type { Manifest } from "@/lib/server/templates/documents";

/**
 * A Secret's `stringData` moved into `data` (base64) before it is applied, so that server-side
 * apply records our ownership of each key. The API server keeps `stringData` only as a write-only
 * shortcut: applied as is, the managed fields list `f:stringData.f:<key>`, a field the stored
 * object never has, so a manager that later changes `data.<key>` (kubectl patch, edit) takes the
 * key over without any conflict, and a drift check can only call it a changed value (which a
 * deployer without reveal must not learn, issue 20 point 4) instead of "taken over by kubectl-patch".
 *
 * As the API server does it: a key in both wins from `stringData`. A value that is not a string
 * is left for the API server to refuse, as it would have been.
 */
export function secretAsData(manifest: Manifest): Manifest {
  const { stringData, ...rest } = manifest as Manifest & { stringData?: unknown; data?: unknown };
  if (!stringData || typeof stringData !== "object" || Array.isArray(stringData)) return manifest;
  const entries = Object.entries(stringData as Record<string, unknown>);
  if (entries.some(([, value]) => typeof value !== "string")) return manifest;
  const data = rest.data && typeof rest.data === "object" && !Array.isArray(rest.data) ? rest.data : {};
  return {
    ...rest,
    data: {
      ...(data as Record<string, unknown>),
      ...Object.fromEntries(
        entries.map(([key, value]) => [key, Buffer.from(value as string, "utf8").toString("base64")]),
      ),
    },
  };
}
