import "server-only";
import type { SaveRevisionBody } from "@/lib/schemas/templates";
import { allows, allowsOnSomeCluster, visibleClusterIds, type AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import type { FieldErrors } from "@/lib/server/errors/app-error";
import { desiredObjects, renderTargetOf, type RenderTarget } from "@/lib/server/releases/desired";
import type { LintIssue, Manifest } from "./documents";
import { isClusterScoped, isRbac } from "./kinds";
import { sampleParams, schemaProblems } from "./parameter-schema";
import { parseTemplate, TemplateError } from "./render";

/** The cluster a template is rendered against at save time: the one asked for, or the first the author may deploy to. */
async function sampleCluster(profile: AccessProfile, requested?: string): Promise<RenderTarget> {
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
  return chosen ? renderTargetOf(chosen) : { name: "sample", labels: {}, variables: {} };
}

/**
 * Placement rules on one target: namespaced objects need a namespace the caller may deploy
 * to; cluster-scoped objects and RBAC objects need `manage` (cluster-scoped: with the
 * cluster-scoped flag) on that cluster, or an admin.
 */
export function placementProblems(profile: AccessProfile, clusterId: string | null, manifests: Manifest[]): string[] {
  const problems: string[] = [];
  for (const manifest of manifests) {
    const label = `${manifest.kind} ${manifest.metadata.name}`;
    const scoped = isClusterScoped(manifest.kind);
    const namespace = manifest.metadata.namespace;
    if (!scoped && !namespace) {
      problems.push(`${label}: metadata.namespace is required (namespaced objects must say where they go)`);
      continue;
    }
    if (scoped && namespace)
      problems.push(`${label}: ${manifest.kind} is cluster-scoped and must not have metadata.namespace`);
    if (profile.isAdmin) continue;
    const level = scoped || isRbac(manifest.apiVersion) ? "manage" : "deploy";
    if (clusterId) {
      if (!allows(profile, { clusterId, namespace: scoped ? null : namespace!, level })) {
        problems.push(
          scoped
            ? `${label}: cluster-scoped objects need "manage" with cluster-scoped access`
            : `${label}: you may not ${level === "manage" ? "manage RBAC in" : "deploy to"} namespace ${namespace}`,
        );
      }
    } else {
      // At save time: the author must be able to place it on at least one cluster.
      if (!allowsOnSomeCluster(profile, { namespace: scoped ? null : namespace!, level }))
        problems.push(
          scoped
            ? `${label}: cluster-scoped objects need "manage" with cluster-scoped access`
            : `${label}: namespace ${namespace} is not one you may ${level === "manage" ? "manage" : "deploy to"}`,
        );
    }
  }
  return problems;
}

/** Lint on save: schema, overrides, template syntax, render against a sample cluster, structure, placement. */
export async function lintRevision(profile: AccessProfile, input: SaveRevisionBody): Promise<FieldErrors> {
  const problems: FieldErrors = { ...schemaProblems(input.schema) };
  try {
    parseTemplate(input.body);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return {
      ...problems,
      body: [`line ${error.line ?? "?"}${error.column ? `, column ${error.column}` : ""}: ${error.message}`],
    };
  }
  if (Object.keys(problems).length) return problems;

  const cluster = await sampleCluster(profile, input.sampleClusterId);
  const desired = await desiredObjects(
    { body: input.body, overrides: input.overrides, number: 0 },
    sampleParams(input.schema),
    cluster,
    null,
  );
  if (!desired.ok) return { body: formatIssues(desired.issues, cluster.name) };
  const placement = placementProblems(profile, null, desired.manifests);
  if (placement.length) problems.body = placement;
  return problems;
}

export function formatIssues(issues: LintIssue[], clusterName?: string): string[] {
  const suffix = clusterName ? ` (rendered for cluster ${clusterName})` : "";
  return issues.map(
    (issue) =>
      `${issue.line ? `line ${issue.line}${issue.column ? `, column ${issue.column}` : ""}: ` : ""}${issue.message}${suffix}`,
  );
}
