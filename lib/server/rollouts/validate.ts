import "server-only";
import type { RolloutRequest } from "@/lib/schemas/templates";
import type { AccessProfile } from "@/lib/server/access/policy";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";
import { db } from "@/lib/server/db/client";
import { validationFailed, type FieldErrors } from "@/lib/server/errors/app-error";
import { desiredObjects, renderTargetOf, type RenderTarget } from "@/lib/server/releases/desired";
import type { Manifest } from "@/lib/server/templates/documents";
import { formatIssues, placementProblems } from "@/lib/server/templates/lint";
import { validateParams } from "@/lib/server/templates/parameter-schema";
import { getRevision, type RevisionView } from "@/lib/server/templates/templates";
import { deployableClusters } from "./permissions";

export interface TargetCluster extends RenderTarget {
  id: string;
}

export interface ValidatedRollout {
  templateId: string;
  templateName: string;
  revision: RevisionView;
  params: Record<string, unknown>;
  targets: TargetCluster[];
  release: { id: string; name: string } | null;
  desired: Map<string, Manifest[]>;
}

/**
 * Everything that must hold before a rollout may start or be previewed: the template and
 * revision exist, the parameters fit the schema, the targets are clusters the caller may
 * deploy to, and every rendered object lands where the caller may put it. Problems are
 * collected and reported together, each naming its field (or template line).
 */
export async function validateRollout(profile: AccessProfile, request: RolloutRequest): Promise<ValidatedRollout> {
  const template = await db().template.findUnique({
    where: { id: request.templateId },
    select: { id: true, name: true },
  });
  if (!template) throw validationFailed({ templateId: ["No template with this id"] });
  const revision = await getRevision(template.id, request.revision).catch(() => {
    throw validationFailed({ revision: [`Template ${template.name} has no revision ${request.revision}`] });
  });

  const problems: FieldErrors = {};
  const params = validateParams(revision.schema, request.params);
  if (!params.ok) Object.assign(problems, params.errors);

  const existing = await db().release.findUnique({
    where: { name: request.releaseName },
    select: { id: true, name: true, templateId: true },
  });
  if (existing && existing.templateId !== template.id)
    problems.releaseName = [`Release ${existing.name} belongs to another template`];

  // Only clusters the caller may deploy to somewhere are candidates; a selector never widens that.
  const deployable = await deployableClusters(profile);
  const selected = new Map<string, (typeof deployable)[number]>();
  if (request.targets.selector) {
    const selector = parseSelector(request.targets.selector);
    for (const cluster of deployable) if (matchesSelector(selector, cluster.labels)) selected.set(cluster.id, cluster);
    if (selected.size === 0) problems["targets.selector"] = ["The selector matches no cluster you may deploy to"];
  }
  request.targets.clusterIds.forEach((id, index) => {
    const cluster = deployable.find((candidate) => candidate.id === id);
    if (cluster) selected.set(id, cluster);
    else problems[`targets.clusterIds.${index}`] = ["No cluster you may deploy to has this id"];
  });
  const targets: TargetCluster[] = [...selected.values()].map((c) => ({ id: c.id, ...renderTargetOf(c) }));
  if (targets.length === 0 && !Object.keys(problems).some((k) => k.startsWith("targets.")))
    problems.targets = ["The target set is empty"];
  if (request.strategy.kind === "waves") {
    request.strategy.canaryClusterIds.forEach((id, index) => {
      if (!selected.has(id)) problems[`strategy.canaryClusterIds.${index}`] = ["A canary must be one of the targets"];
    });
  }
  if (Object.keys(problems).length) throw validationFailed(problems, "The rollout has problems; nothing was started");

  const desired = new Map<string, Manifest[]>();
  const values = params.ok ? params.value : {};
  const known = existing ? { id: existing.id, name: existing.name } : null;
  // A release not created yet renders with a placeholder id; the labels are only checked here.
  const release = known ?? { id: "00000000-0000-4000-8000-000000000000", name: request.releaseName };
  for (const target of targets) {
    const result = await desiredObjects(revision, values, target, release);
    if (!result.ok) {
      problems.body = formatIssues(result.issues, target.name);
      break;
    }
    const placement = placementProblems(profile, target.id, result.manifests);
    if (placement.length) (problems.targets ??= []).push(...placement.map((p) => `cluster ${target.name}: ${p}`));
    const size = Buffer.byteLength(JSON.stringify(result.manifests));
    if (size > 1024 * 1024)
      (problems.body ??= []).push(
        `The rendered manifests for cluster ${target.name} are ${(size / 1048576).toFixed(1)} MB; the limit is 1 MB`,
      );
    desired.set(target.id, result.manifests);
  }
  if (Object.keys(problems).length) throw validationFailed(problems, "The rollout has problems; nothing was started");
  return {
    templateId: template.id,
    templateName: template.name,
    revision,
    params: values,
    targets,
    release: known,
    desired,
  };
}
