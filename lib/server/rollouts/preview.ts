import "server-only";
import { createTwoFilesPatch } from "diff";
import pLimit from "p-limit";
import { stringify } from "yaml";
import type { ClusterPreview, PreviewObject, SecretParamPlan } from "@/lib/api/rollout-types";
import { secretParamFacts } from "@/lib/server/secrets/sealed-params";
import type { SecretInputs } from "./secret-inputs";
import type { RolloutRequest } from "@/lib/schemas/templates";
import type { AccessProfile } from "@/lib/server/access/policy";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { isSecretRef, maskObject, requestMasker, type SecretMasker } from "@/lib/server/redact/secret-mask";
import { secretKeyChanges } from "@/lib/server/redact/secret-keys";
import { refKey, refOf, type ObjectRef } from "@/lib/server/templates/desired";
import { releaseObjectsSchema } from "@/lib/server/releases/columns";
import type { ObjectOutcome } from "@/lib/server/releases/executor";
import { comparableObject, executor } from "@/lib/server/releases/hub-push";
import type { Manifest } from "@/lib/server/templates/documents";
import { validateRollout } from "./validate";

/** A diffable text of an object, masked by its reference (see lib/server/redact/secret-mask.ts). */
const yamlOf = (ref: ObjectRef, object: Record<string, unknown> | null | undefined, masker: SecretMasker) =>
  object ? stringify(comparableObject(maskObject(ref, object, masker))) : "";

function toPreview(outcome: ObjectOutcome, masker: SecretMasker, digest: (value: Buffer) => string): PreviewObject {
  const preview = toPreviewOf(outcome, masker);
  if (!isSecretRef(outcome.ref) || !outcome.result) return preview;
  return { ...preview, secretKeys: secretKeyChanges(outcome.live, outcome.result, digest) };
}

function toPreviewOf(outcome: ObjectOutcome, masker: SecretMasker): PreviewObject {
  const diff = (from: string, to: string) =>
    from === to ? "" : createTwoFilesPatch("live", "after apply", from, to, "", "", { context: 3 });
  switch (outcome.action) {
    case "created":
      return { ref: outcome.ref, action: "create", diff: diff("", yamlOf(outcome.ref, outcome.result, masker)) };
    case "configured":
    case "unchanged": {
      const text = diff(yamlOf(outcome.ref, outcome.live, masker), yamlOf(outcome.ref, outcome.result, masker));
      return { ref: outcome.ref, action: text ? "change" : "unchanged", diff: text };
    }
    case "conflict":
      return {
        ref: outcome.ref,
        action: "conflict",
        diff: "",
        error: `Owned by another field manager: ${outcome.conflictManagers?.join(", ") || "unknown"}`,
        conflictManagers: outcome.conflictManagers,
      };
    case "invalid":
    case "forbidden":
      return { ref: outcome.ref, action: outcome.action, diff: "", error: outcome.error };
    default:
      return { ref: outcome.ref, action: "error", diff: "", error: outcome.error };
  }
}

/**
 * Preview before anything changes: for every target, the rendered manifests, a
 * server-side dry-run apply (dryRun=All) and a diff against the live objects, with the
 * objects that would be pruned. Validation errors from the API server appear here.
 */
export async function previewRollout(
  profile: AccessProfile,
  request: RolloutRequest,
): Promise<{ clusters: ClusterPreview[]; secretParams: SecretParamPlan[] }> {
  const validated = await validateRollout(profile, request, { preview: true });
  // One key per preview: equal values show equal fingerprints here, and nowhere else.
  const masker = requestMasker();
  // Per-key summaries use the diff's key, so a value shows the same fingerprint in both.
  const digest = masker.fingerprint;
  const limit = pLimit(16);
  const timeoutMs = env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  const clusters = await Promise.all(
    validated.targets.map((target) =>
      limit(async (): Promise<ClusterPreview> => {
        const manifests = validated.desired.get(target.id) ?? [];
        const dependent = validated.secretDependent.get(target.id);
        const dependence = (ref: ObjectRef) => (dependent === "all" ? "identity" : dependent?.get(refKey(ref)));
        const dependsOnSecret = (ref: ObjectRef) => dependence(ref) !== undefined;
        const shownRef = (ref: ObjectRef): ObjectRef => (dependence(ref) === "identity" ? hiddenIdentity(ref) : ref);
        const preview: ClusterPreview = {
          clusterId: target.id,
          clusterName: target.name,
          manifests: manifests
            .map((m) =>
              dependsOnSecret(refOf(m))
                ? stringify({
                    apiVersion: m.apiVersion,
                    kind: m.kind,
                    metadata: {
                      name: shownRef(refOf(m)).name,
                      ...(m.metadata.namespace ? { namespace: shownRef(refOf(m)).namespace } : {}),
                    },
                    "(content)": "depends on a secret parameter; not shown",
                  })
                : stringify(maskObject(refOf(m), m, masker)),
            )
            .join("---\n"),
          objects: [],
          counts: { create: 0, change: 0, unchanged: 0, prune: 0, problems: 0 },
          error: null,
        };
        const unreachable = validated.unreachable.get(target.id);
        if (unreachable) return { ...preview, error: unreachable };
        try {
          const outcomes = await withTimeout(
            executor.apply(target.id, manifests, {
              dryRun: true,
              force: request.takeOwnership,
              actor: { email: profile.email, teams: profile.teamNames, providerGroups: profile.providerGroups },
            }),
            timeoutMs * Math.max(2, manifests.length),
          );
          preview.objects = outcomes.map((outcome) =>
            dependsOnSecret(outcome.ref)
              ? { ...withoutContent(toPreview(outcome, masker, digest)), ref: shownRef(outcome.ref) }
              : toPreview(outcome, masker, digest),
          );
          if (validated.release) preview.objects.push(...(await prunable(validated.release.id, target.id, manifests)));
        } catch (error) {
          preview.error = classifyClusterError(error).message;
        }
        for (const object of preview.objects) {
          if (
            object.action === "create" ||
            object.action === "change" ||
            object.action === "unchanged" ||
            object.action === "prune"
          )
            preview.counts[object.action] += 1;
          else preview.counts.problems += 1;
        }
        return preview;
      }),
    ),
  );
  // A template may also put a secret parameter into something that is not a Secret (a ConfigMap,
  // an annotation): whatever the render used is cut from the whole answer, plain and base64.
  return {
    clusters: scrubValues(clusters, validated.renderedSecrets),
    secretParams: await secretParamPlans(validated.secrets),
  };
}

/**
 * An object whose render depends on a secret value: what happens to it (create, change,
 * unchanged, a problem) and, for a Secret, its per-key summary, but no diff and no cluster
 * message (either can show the value, or the live object's old one).
 */
function withoutContent(object: PreviewObject): PreviewObject {
  const { diff: _diff, error, ...rest } = object;
  return {
    ...rest,
    diff: "",
    dependsOnSecret: true,
    ...(error
      ? { error: "The cluster refused this object; its message is withheld (it uses a secret parameter)" }
      : {}),
  };
}

/** An object whose very name or namespace comes from a secret value: named by its kind only. */
const hiddenIdentity = (ref: ObjectRef): ObjectRef => ({
  ...ref,
  name: "(name depends on a secret parameter)",
  namespace: ref.namespace === null ? null : "(namespace hidden)",
});

function scrubValues<T>(answer: T, values: string[]): T {
  const needles = values
    .filter((value) => value.length >= 4)
    .flatMap((value) => [value, Buffer.from(value, "utf8").toString("base64")])
    .sort((a, b) => b.length - a.length);
  if (needles.length === 0) return answer;
  let text = JSON.stringify(answer);
  for (const needle of needles) text = text.split(JSON.stringify(needle).slice(1, -1)).join("(secret parameter)");
  return JSON.parse(text) as T;
}

/** Per secret parameter: entered now, kept (set by whom, when), or not set. Never a value. */
async function secretParamPlans(inputs: SecretInputs): Promise<SecretParamPlan[]> {
  const facts = await secretParamFacts([...inputs.kept.values()]);
  return inputs.specs
    .map((spec): SecretParamPlan => {
      if (inputs.newValues.has(spec.path)) return { path: spec.path, state: "entered", setBy: null, setAt: null };
      const fact = facts.get(inputs.kept.get(spec.path) ?? "");
      return fact
        ? { path: spec.path, state: "kept", setBy: fact.setByEmail, setAt: fact.setAt.toISOString() }
        : { path: spec.path, state: "unset", setBy: null, setAt: null };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Objects the release applied here before that the new revision no longer has. */
async function prunable(releaseId: string, clusterId: string, manifests: Manifest[]): Promise<PreviewObject[]> {
  const current = await db().releaseCluster.findUnique({
    where: { releaseId_clusterId: { releaseId, clusterId } },
    select: { objects: true },
  });
  const desired = new Set(manifests.map((m) => refKey(refOf(m))));
  // A record that does not parse prunes nothing (pruning is never guessed).
  const applied = releaseObjectsSchema.safeParse(current?.objects ?? []);
  return (applied.success ? applied.data : [])
    .filter((ref) => !desired.has(refKey(ref)))
    .map((ref) => ({ ref, action: "prune" as const, diff: "" }));
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
