import "server-only";
import { atPosition } from "@/lib/schemas/lint-position";
import type { SaveRevisionBody } from "@/lib/schemas/templates";
import { placementProblems } from "@/lib/server/access/placement";
import { allows, visibleClusterIds, type AccessProfile } from "@/lib/server/access/policy";
import { namespacedKinds } from "@/lib/server/clusters/kind-scope";
import { db } from "@/lib/server/db/client";
import type { FieldErrors } from "@/lib/server/errors/app-error";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { desiredObjects, renderTargetOf, type RenderTarget } from "@/lib/server/templates/desired";
import type { LintIssue } from "./documents";
import { sampleParams, schemaProblems } from "./parameter-schema";
import { parseTemplate, TemplateError } from "./render";
import { secretSchemaProblems, withSecretSamples } from "./secret-schema";

/** The cluster a template is rendered against at save time: the one asked for, or the first the author may deploy to. */
async function sampleCluster(
  profile: AccessProfile,
  requested?: string,
): Promise<(RenderTarget & { id: string }) | null> {
  const visible = visibleClusterIds(profile);
  const clusters = await db().cluster.findMany({
    where: visible === "all" ? undefined : { id: { in: [...visible] } },
    select: { id: true, name: true, labels: true, variables: true },
    orderBy: { name: "asc" },
  });
  const chosen =
    clusters.find((c) => c.id === requested) ??
    clusters.find((c) => allows(profile, { clusterId: c.id, level: "deploy" })) ??
    clusters[0];
  return chosen ? { id: chosen.id, ...renderTargetOf(chosen) } : null;
}

/**
 * Lint on save: schema, overrides, template syntax, render against a sample cluster,
 * structure, and placement (which kinds are namespaced is asked of the sample cluster's
 * discovery; preview and start ask every target again).
 */
export async function lintRevision(profile: AccessProfile, input: SaveRevisionBody): Promise<FieldErrors> {
  const problems: FieldErrors = { ...schemaProblems(input.schema), ...secretSchemaProblems(input.schema) };
  try {
    parseTemplate(input.body);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return {
      ...problems,
      body: [`${atPosition(error.line, error.column)}${error.message}`],
    };
  }
  if (Object.keys(problems).length) return problems;

  const cluster = await sampleCluster(profile, input.sampleClusterId);
  const target = cluster ?? { name: "sample", labels: {}, variables: {} };
  const desired = await desiredObjects(
    { body: input.body, overrides: input.overrides, number: 0 },
    withSecretSamples(input.schema, sampleParams(input.schema)),
    target,
    null,
  );
  if (!desired.ok) return { body: formatIssues(desired.issues, target.name) };
  // With no cluster registered there is no discovery to ask; preview and start check every target.
  if (!cluster) return problems;
  let namespaced: Map<string, boolean | null>;
  try {
    namespaced = await namespacedKinds(cluster.id, desired.manifests);
  } catch (error) {
    return {
      body: [
        `Could not ask cluster ${cluster.name} which kinds it serves (${classifyClusterError(error).message}); choose another sample cluster`,
      ],
    };
  }
  const placement = placementProblems(profile, null, desired.manifests, namespaced);
  if (placement.problems.length)
    problems.body = placement.problems.map((problem) => `${problem} (checked against cluster ${cluster.name})`);
  return problems;
}

export function formatIssues(issues: LintIssue[], clusterName?: string): string[] {
  const suffix = clusterName ? ` (rendered for cluster ${clusterName})` : "";
  return issues.map((issue) => `${atPosition(issue.line, issue.column)}${issue.message}${suffix}`);
}
