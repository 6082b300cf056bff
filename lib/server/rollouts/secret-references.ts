import "server-only";
import { secretReferenceSchema } from "@/lib/schemas/templates";
import type { AccessProfile } from "@/lib/server/access/policy";
import { decide } from "@/lib/server/access/resource-rules";
import type { FieldErrors } from "@/lib/server/errors/app-error";
import { readSourceSecret, SourceSecretError } from "@/lib/server/releases/secret-source";
import { getPath, type SecretParamSpec } from "@/lib/server/templates/secret-schema";

/**
 * Checks a rollout's secret references before anything starts: each names a Secret the author
 * may reveal (rule `secret-ref.use`; a source outside every grant answers like one that does not
 * exist), and the Secret exists with the keys named, read now as the author. The data read is
 * handed back for this render only (placement, preview) and never stored.
 */
export async function readReferences(
  profile: AccessProfile,
  specs: SecretParamSpec[],
  params: Record<string, unknown>,
): Promise<{ problems: FieldErrors; data: Map<string, Record<string, string>> }> {
  const problems: FieldErrors = {};
  const data = new Map<string, Record<string, string>>();
  for (const spec of specs) {
    const field = `params.${spec.path}`;
    const value = getPath(params, spec.path);
    if (value === undefined || value === null) continue;
    const parsed = secretReferenceSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        (problems[[field, ...issue.path.map(String)].join(".")] ??= []).push(issue.message);
      continue;
    }
    const ref = parsed.data;
    const place = { clusterId: ref.cluster, namespace: ref.namespace, level: "view" as const };
    const decision = decide(profile, "secret-ref.use", { teamId: null, places: [place] });
    if (decision === "hidden") {
      problems[field] = [`No Secret ${ref.namespace}/${ref.name} that you may reveal exists on that cluster`];
      continue;
    }
    if (decision === "forbidden") {
      problems[field] = [
        `Using Secret ${ref.namespace}/${ref.name} as a source needs "reveal" on namespace ${ref.namespace} of that cluster`,
      ];
      continue;
    }
    try {
      data.set(spec.path, await readSourceSecret(ref, profile));
    } catch (error) {
      if (!(error instanceof SourceSecretError)) throw error;
      problems[field] = [`Secret ${ref.namespace}/${ref.name}: ${error.message}`];
    }
  }
  return { problems, data };
}
