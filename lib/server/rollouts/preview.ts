import "server-only";
import { waveSchedule } from "./wave-schedule";
import { createTwoFilesPatch } from "diff";
import pLimit from "p-limit";
import { stringify } from "yaml";
import type { ClusterPreview, PreviewObject, SecretParamPlan, WaveSchedule } from "@/lib/api/rollout-types";
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
import { namedFor, ownerText } from "@/lib/server/releases/owner-words";
import { mayCompareSecretValues } from "@/lib/server/access/ownership";
import { clusterDeadline } from "@/lib/server/kube/deadline";

/** A release that does not exist yet owns nothing: every labelled object belongs to another release. */
const NEW_RELEASE = "00000000-0000-4000-8000-000000000000";
import type { Manifest } from "@/lib/server/templates/documents";
import { validateRollout } from "./validate";
import { checkGuardrails, loadGuardrails } from "@/lib/server/guardrails/rules";

/** A diffable text of an object, masked by its reference (see lib/server/redact/secret-mask.ts). */
const yamlOf = (ref: ObjectRef, object: Record<string, unknown> | null | undefined, masker: SecretMasker) =>
  object ? stringify(comparableObject(maskObject(ref, object, masker))) : "";

/**
 * Markers for a caller who may not compare a Secret's values there (rule `secret-value.compare`):
 * the live value and the one to be written never read alike, so the answer (diff, action, per-key
 * summary) is the same whether a guessed value is right or wrong: a value will be written, no more.
 */
const blindLive: SecretMasker = { mark: () => "(hidden)" };
const blindNext: SecretMasker = { mark: () => "(hidden, not compared with the live value)" };

export function toPreview(
  outcome: ObjectOutcome,
  masker: SecretMasker,
  digest: (value: Buffer) => string,
  blind: boolean,
): PreviewObject {
  const secret = isSecretRef(outcome.ref);
  // Nothing live, nothing to compare with: a Secret created keeps its fingerprints (they tell its values apart).
  const compared = blind && secret && Boolean(outcome.live);
  const preview = toPreviewOf(outcome, compared ? [blindLive, blindNext] : [masker, masker]);
  if (!secret || !outcome.result) return preview;
  const keys = secretKeyChanges(outcome.live, outcome.result, digest);
  return {
    ...preview,
    secretKeys: compared
      ? keys.map(({ key, change, fingerprint }) =>
          change === "changed" || change === "unchanged"
            ? { key, change: "written" as const, fingerprint: null }
            : // An added key has no live value; a removed one has no new value: nothing is compared.
              { key, change, fingerprint: change === "added" ? null : fingerprint },
        )
      : keys,
  };
}

export async function ownersNamed(profile: AccessProfile, object: PreviewObject): Promise<PreviewObject> {
  return {
    ...object,
    ...(object.error ? { error: await namedFor(profile, object.error) } : {}),
    ...(object.owner ? { owner: await namedFor(profile, object.owner) } : {}),
    ...(object.takesOverFrom ? { takesOverFrom: await namedFor(profile, object.takesOverFrom) } : {}),
  };
}

function toPreviewOf(outcome: ObjectOutcome, [before, after]: [SecretMasker, SecretMasker]): PreviewObject {
  const diff = (from: string, to: string) =>
    from === to ? "" : createTwoFilesPatch("live", "after apply", from, to, "", "", { context: 3 });
  const takesOver = outcome.tookOver && outcome.owner ? { takesOverFrom: ownerText(outcome.owner) } : {};
  switch (outcome.action) {
    case "created":
      return { ref: outcome.ref, action: "create", diff: diff("", yamlOf(outcome.ref, outcome.result, after)) };
    case "configured":
    case "unchanged": {
      const text = diff(yamlOf(outcome.ref, outcome.live, before), yamlOf(outcome.ref, outcome.result, after));
      return { ref: outcome.ref, action: text ? "change" : "unchanged", diff: text, ...takesOver };
    }
    case "conflict":
      return {
        ref: outcome.ref,
        action: "conflict",
        diff: "",
        // One owner per object: the owner as this caller may know it (access/ownership.ts), else the field managers.
        error: outcome.owner
          ? outcome.error
          : `Owned by another field manager: ${outcome.conflictManagers?.join(", ") || "unknown"}`,
        conflictManagers: outcome.conflictManagers,
        ...(outcome.owner ? { owner: ownerText(outcome.owner) } : {}),
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
): Promise<{ clusters: ClusterPreview[]; secretParams: SecretParamPlan[]; waves: WaveSchedule[] }> {
  const actor = { email: profile.email, teams: profile.teamNames, providerGroups: profile.providerGroups };
  const dryRun = (clusterId: string, manifests: Manifest[], signal: AbortSignal, releaseId: string | null) =>
    executor.apply(clusterId, manifests, {
      dryRun: true,
      force: request.takeOwnership,
      actor,
      owner: { releaseId: releaseId ?? NEW_RELEASE, takeOwnership: request.takeOwnership, author: profile },
      signal,
    });
  // Each cluster's dry-run starts as soon as its own checks pass (under the deadline its discovery
  // began), so a hung cluster's discovery never eats a healthy cluster's time.
  const early = new Map<string, Promise<ObjectOutcome[]>>();
  const validated = await validateRollout(profile, request, {
    preview: true,
    onPlaced: (target, manifests, signal, releaseId) => {
      const started = dryRun(target.id, manifests, signal, releaseId);
      started.catch(() => undefined); // awaited below; a validation problem may leave it unread
      early.set(target.id, started);
    },
  });
  // One key per preview: equal values show equal fingerprints here, and nowhere else.
  const masker = requestMasker();
  // Per-key summaries use the diff's key, so a value shows the same fingerprint in both.
  const digest = masker.fingerprint;
  const limit = pLimit(16);
  const timeoutMs = env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  // What the release applied on each target before, read once for all of them (not per cluster).
  const recorded = appliedBefore(
    validated.release?.id ?? null,
    validated.targets.map((target) => target.id),
  );
  recorded.catch(() => undefined); // awaited per cluster; a cluster that fails first leaves it unread
  const guardrails = await loadGuardrails();
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
        // Every rendered object against the fleet's guardrails (names scrubbed with the rest below).
        preview.guardrails = checkGuardrails(guardrails, target, manifests, {
          userEmail: profile.email,
          groups: profile.teamNames,
        });
        const unreachable = validated.unreachable.get(target.id);
        if (unreachable) return { ...preview, error: unreachable };
        // Whether a Secret's live value equals the one to be written is told only to who may reveal it there.
        const blind = (ref: ObjectRef) => !mayCompareSecretValues(profile, target.id, ref.namespace);
        try {
          // The same deadline as this cluster's discovery in validateRollout: one limit for the cluster in all.
          const outcomes = await (early.get(target.id) ??
            dryRun(
              target.id,
              manifests,
              validated.deadlines.get(target.id) ?? clusterDeadline(timeoutMs),
              validated.release?.id ?? null,
            ));
          preview.objects = outcomes.map((outcome) =>
            dependsOnSecret(outcome.ref)
              ? {
                  ...withoutContent(toPreview(outcome, masker, digest, blind(outcome.ref))),
                  ref: shownRef(outcome.ref),
                }
              : toPreview(outcome, masker, digest, blind(outcome.ref)),
          );
          if (validated.release) preview.objects.push(...prunable((await recorded).get(target.id), manifests));
          // Another release's name, as this caller may know it (owner-words.ts).
          preview.objects = await Promise.all(preview.objects.map((object) => ownersNamed(profile, object)));
        } catch (error) {
          // Named like a discovery failure, so a timed-out cluster says which one it was.
          preview.error = `Cluster ${target.name}: ${classifyClusterError(error).message}`;
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
    waves: await waveSchedule(request, validated.targets),
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

/** Per cluster, the object references the release's record there lists (none for a new release). */
async function appliedBefore(releaseId: string | null, clusterIds: string[]): Promise<Map<string, unknown>> {
  if (!releaseId) return new Map();
  const rows = await db().releaseCluster.findMany({
    where: { releaseId, clusterId: { in: clusterIds } },
    select: { clusterId: true, objects: true },
  });
  return new Map(rows.map((row) => [row.clusterId, row.objects]));
}

/** Objects the release applied here before that the new revision no longer has. */
function prunable(applied: unknown, manifests: Manifest[]): PreviewObject[] {
  const desired = new Set(manifests.map((m) => refKey(refOf(m))));
  // A record that does not parse prunes nothing (pruning is never guessed).
  const parsed = releaseObjectsSchema.safeParse(applied ?? []);
  return (parsed.success ? parsed.data : [])
    .filter((ref) => !desired.has(refKey(ref)))
    .map((ref) => ({ ref, action: "prune" as const, diff: "" }));
}
