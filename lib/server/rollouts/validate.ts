import "server-only";
import type { RolloutRequest } from "@/lib/schemas/templates";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";
import { releaseCoverage } from "@/lib/server/access/coverage";
import { resolveOwnerTeam } from "@/lib/server/access/owner-team";
import { placementProblems, type Placement } from "@/lib/server/access/placement";
import type { AccessProfile } from "@/lib/server/access/policy";
import { decide } from "@/lib/server/access/resource-rules";
import { namespacedKinds } from "@/lib/server/clusters/kind-scope";
import { db } from "@/lib/server/db/client";
import { forbidden, isAppError, validationFailed, type FieldErrors } from "@/lib/server/errors/app-error";
import { env } from "@/lib/server/config/env";
import { clusterDeadline } from "@/lib/server/kube/deadline";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { hiddenMasker, maskObject } from "@/lib/server/redact/secret-mask";
import {
  desiredObjects,
  refKey,
  refOf,
  renderTargetOf,
  type DesiredResult,
  type RenderTarget,
} from "@/lib/server/templates/desired";
import type { Manifest } from "@/lib/server/templates/documents";
import { formatIssues } from "@/lib/server/templates/lint";
import { openSecretParams } from "@/lib/server/secrets/sealed-params";
import { setPath } from "@/lib/server/templates/secret-schema";
import { getRevision, requireTemplate, type RevisionView } from "@/lib/server/templates/templates";
import { deployableClusters } from "./deployable-clusters";
import { readSecretInputs, type SecretInputs } from "./secret-inputs";
import { readReferences } from "./secret-references";

export interface TargetCluster extends RenderTarget {
  id: string;
}

export type SecretDependence = Map<string, "content" | "identity">;

/** Preview: a target whose own checks passed, with its objects and its deadline (see validateRollout). */
export type OnPlaced = (
  target: TargetCluster,
  manifests: Manifest[],
  deadline: AbortSignal,
  releaseId: string | null,
) => void;

export interface ValidatedRollout {
  teamId: string | null;
  templateId: string;
  templateName: string;
  revision: RevisionView;
  /** Validated parameters and secret inputs (new values, kept markers); stored params are made in create.ts. */
  secrets: SecretInputs;
  /** Preview only: the secret values this render used (entered and kept), to cut from what is shown. */
  renderedSecrets: string[];
  targets: TargetCluster[];
  release: { id: string; name: string } | null;
  desired: Map<string, Manifest[]>;
  /** Where each target writes (from its discovery): the rollout's coverage. */
  scope: Map<string, Placement[]>;
  /** Preview only: targets whose discovery failed, with the reason (start refuses them instead). */
  unreachable: Map<string, string>;
  /**
   * Preview only, per target: the objects (refKey) whose render depends on a secret value
   * outside a Secret's data (see secretDependents): "content", or "identity" when even the name
   * or namespace does (the object is not in the stand-in render); "all" when the stand-in render
   * failed. The preview shows them without any content (and without the identity).
   */
  secretDependent: Map<string, SecretDependence | "all">;
  /** Per target: the one deadline for every call this request makes to that cluster (kube/deadline.ts). */
  deadlines: Map<string, AbortSignal>;
}

/**
 * Everything that must hold before a rollout may start or be previewed: the team, template
 * (readable by the caller: `template.use`) and revision exist, the parameters fit the schema,
 * the release named is the team's own (`release.add-rollout` over everything it covers), the
 * targets are clusters the caller may deploy to, and every rendered object lands where the
 * caller may put it, with scope from each target's discovery. Problems are collected and
 * reported together, each naming its field (or template line, or cluster).
 */
export async function validateRollout(
  profile: AccessProfile,
  request: RolloutRequest,
  options: { preview?: boolean; sealed?: Record<string, string>; onPlaced?: OnPlaced } = {},
): Promise<ValidatedRollout> {
  const teamId = await resolveOwnerTeam(profile, request.teamId, {
    noun: "this release belongs to",
    action: "Starting rollouts",
  });
  const template = await requireTemplate(profile, "template.use", request.templateId).catch((error: unknown) => {
    // Another team's template answers exactly like one that does not exist.
    if (isAppError(error) && error.status === 404) throw validationFailed({ templateId: ["No template with this id"] });
    throw error;
  });
  const revision = await getRevision(profile, template.id, request.revision).catch((error: unknown) => {
    if (isAppError(error) && error.status === 404)
      throw validationFailed({ revision: [`Template ${template.name} has no revision ${request.revision}`] });
    throw error;
  });

  const problems: FieldErrors = {};
  // Release names are per team: another team's release of this name is simply not this one.
  const existing = await db().release.findFirst({
    where: { teamId, name: request.releaseName },
    select: { id: true, name: true, templateId: true },
  });
  if (existing && existing.templateId !== template.id)
    problems.releaseName = [`Release ${existing.name} uses another template; choose a new release name`];
  if (existing) {
    const coverage = await releaseCoverage(existing.id);
    if (coverage && decide(profile, "release.add-rollout", coverage) !== "allowed")
      throw forbidden(
        `Adding a rollout to release ${existing.name} needs the required access on every cluster and namespace it covers`,
      );
  }
  // Only now, with the release's steering decided: its current secret markers, and the sources of
  // secret references (the author must be allowed to reveal each, and it must exist with its keys).
  const sameTemplate = existing && existing.templateId === template.id ? existing.id : null;
  const params = await readSecretInputs(revision.schema, request.params, sameTemplate, options.sealed);
  if (!params.ok) Object.assign(problems, params.errors);
  const references = params.ok ? await readReferences(profile, params.value.references, params.value.params) : null;
  if (references) Object.assign(problems, references.problems);

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
  // Counted on the resolved set (a selector can match any number), before anything is rendered or asked of a cluster.
  const maxTargets = env().ARCHIPELAGO_MAX_ROLLOUT_TARGETS;
  if (targets.length > maxTargets)
    problems.targets = [
      `The rollout would target ${targets.length} clusters; at most ${maxTargets} are allowed (ARCHIPELAGO_MAX_ROLLOUT_TARGETS); narrow the selector or split the rollout`,
    ];
  if (request.strategy.kind === "waves") {
    request.strategy.canaryClusterIds.forEach((id, index) => {
      if (!selected.has(id)) problems[`strategy.canaryClusterIds.${index}`] = ["A canary must be one of the targets"];
    });
  }
  if (Object.keys(problems).length) throw validationFailed(problems, "The rollout has problems; nothing was started");

  const desired = new Map<string, Manifest[]>();
  const scope = new Map<string, Placement[]>();
  const unreachable = new Map<string, string>();
  const secretDependent = new Map<string, SecretDependence | "all">();
  // Rendered here for placement (and, in a preview, for the dry-run). Kept secret values are
  // opened only for a preview, whose dry-run is an apply without the write; a start renders with
  // a stand-in (the worker opens the value at apply time, and refuses a render that lands outside
  // the places checked here).
  let values = params.ok ? params.value.params : {};
  const renderedSecrets = params.ok ? [...params.value.newValues.values()] : [];
  for (const [path, data] of references?.data ?? []) {
    values = setPath(values, path, data);
    for (const encoded of Object.values(data))
      renderedSecrets.push(encoded, Buffer.from(encoded, "base64").toString("utf8"));
  }
  // Preview only: the same parameters with a stand-in for every secret value (same shape and encoding).
  let standIns = values;
  if (options.preview && params.ok) {
    let n = 0;
    const standIn = (base64: boolean) => {
      const text = `secret-stand-in-${(n += 1)}`;
      return base64 ? Buffer.from(text).toString("base64") : text;
    };
    for (const spec of params.value.specs)
      if (params.value.newValues.has(spec.path) || params.value.kept.has(spec.path))
        standIns = setPath(standIns, spec.path, standIn(spec.base64));
    for (const [path, data] of references?.data ?? [])
      standIns = setPath(standIns, path, Object.fromEntries(Object.keys(data).map((key) => [key, standIn(true)])));
  }
  if (params.ok && existing && options.preview)
    for (const [path, value] of await openSecretParams(existing.id, params.value.kept)) {
      values = setPath(values, path, value);
      renderedSecrets.push(value);
    }
  else if (params.ok)
    for (const spec of params.value.specs)
      if (params.value.kept.has(spec.path)) values = setPath(values, spec.path, spec.base64 ? "a2VwdA==" : "kept");
  const known = existing ? { id: existing.id, name: existing.name } : null;
  // A release not created yet renders with a placeholder id; the labels are only checked here.
  const release = known ?? { id: "00000000-0000-4000-8000-000000000000", name: request.releaseName };
  // Every target at once, each under its own deadline (one per cluster for everything this
  // request asks of it: discovery here, the preview's dry-run after), so a hung cluster costs
  // the whole answer at most the per-cluster limit, and never delays the others.
  const timeoutMs = env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  const newSecretValues = params.ok && params.value.newValues.size > 0;
  const deadlines = new Map(targets.map((target) => [target.id, clusterDeadline(timeoutMs)]));
  const checked = await Promise.all(
    targets.map(async (target) => {
      const result = await desiredObjects(revision, values, target, release);
      if (!result.ok) return { target, result };
      const dependence =
        options.preview && renderedSecrets.length
          ? secretDependents(result.manifests, await desiredObjects(revision, standIns, target, release))
          : undefined;
      try {
        const namespaced = await namespacedKinds(
          target.id,
          result.manifests,
          deadlines.get(target.id),
          selected.get(target.id)?.revision,
        );
        // This target's own checks passed: its dry-run may start now, under the same deadline, instead
        // of after the slowest cluster's discovery. Not with a new secret value, whose rule
        // (secret-param.set) is decided over every target first. A later problem discards the result.
        if (
          options.onPlaced &&
          !newSecretValues &&
          result.manifests.length > 0 &&
          placementProblems(profile, target.id, result.manifests, namespaced).problems.length === 0
        )
          options.onPlaced(target, result.manifests, deadlines.get(target.id)!, known?.id ?? null);
        return { target, result, dependence, namespaced };
      } catch (error) {
        return {
          target,
          result,
          dependence,
          reason: `could not ask which kinds it serves: ${classifyClusterError(error).message}`,
        };
      }
    }),
  );
  for (const { target, result, dependence, namespaced, reason } of checked) {
    if (!result.ok) {
      problems.body = formatIssues(result.issues, target.name);
      break;
    }
    const size = Buffer.byteLength(JSON.stringify(result.manifests));
    if (size > 1024 * 1024)
      (problems.body ??= []).push(
        `The rendered manifests for cluster ${target.name} are ${(size / 1048576).toFixed(1)} MB; the limit is 1 MB`,
      );
    desired.set(target.id, result.manifests);
    if (dependence) secretDependent.set(target.id, dependence);
    if (!namespaced) {
      if (options.preview) unreachable.set(target.id, `Cluster ${target.name} ${reason}`);
      else (problems.targets ??= []).push(`cluster ${target.name}: ${reason}; retry, or leave it out of the targets`);
      continue;
    }
    const placement = placementProblems(profile, target.id, result.manifests, namespaced);
    if (placement.problems.length)
      (problems.targets ??= []).push(...placement.problems.map((p) => `cluster ${target.name}: ${p}`));
    scope.set(target.id, placement.scope);
  }
  if (Object.keys(problems).length) throw validationFailed(problems, "The rollout has problems; nothing was started");
  const entered = [...(params.ok ? params.value.newValues.keys() : [])];
  if (entered.length) {
    // Rule secret-param.set: decided over every place every target writes to, not over a visible
    // part. A preview's unreachable target has no scope from discovery: its rendered objects'
    // namespaces stand in (cluster-scoped where none is set), and with nothing rendered the
    // whole cluster (unknown scope, which only an admin holds): never left out.
    const places = targets.flatMap((target) => {
      const checked = scope.get(target.id);
      const rendered = desired.get(target.id) ?? [];
      const namespaces = checked
        ? checked.map((place) => place.namespace)
        : rendered.length
          ? [...new Set(rendered.map((m) => m.metadata.namespace ?? null))]
          : [undefined];
      return namespaces.map((namespace) => ({ clusterId: target.id, namespace, level: "deploy" as const }));
    });
    if (decide(profile, "secret-param.set", { teamId, places }) !== "allowed")
      throw forbidden(
        `Setting secret parameter ${entered.join(", ")} needs deploy on every target cluster and namespace`,
      );
  }
  return {
    teamId,
    templateId: template.id,
    templateName: template.name,
    revision,
    secrets: params.ok
      ? params.value
      : { specs: [], references: [], params: {}, newValues: new Map(), kept: new Map() },
    renderedSecrets: options.preview ? renderedSecrets : [],
    targets,
    release: known,
    desired,
    scope,
    unreachable,
    secretDependent,
    deadlines,
  };
}

/**
 * Which rendered objects depend on a secret value, found by construction rather than by
 * searching the output for the value (a filter, a block scalar or a fold at 80 columns would
 * hide it): the objects rendered with stand-ins in place of every secret value are compared
 * with the real ones, each masked as a preview masks it (a Secret's data hidden). Whatever
 * differs, or exists in only one render, depends on a secret.
 */
function secretDependents(real: Manifest[], standIn: DesiredResult): SecretDependence | "all" {
  if (!standIn.ok) return "all";
  const masked = (m: Manifest) => JSON.stringify(maskObject(refOf(m), m, hiddenMasker));
  const others = new Map(standIn.manifests.map((m) => [refKey(refOf(m)), masked(m)]));
  const found: SecretDependence = new Map();
  for (const manifest of real) {
    const key = refKey(refOf(manifest));
    const other = others.get(key);
    if (other === undefined) found.set(key, "identity");
    else if (other !== masked(manifest)) found.set(key, "content");
  }
  return found;
}
