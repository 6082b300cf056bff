import "server-only";
import { createHash } from "node:crypto";
import pLimit from "p-limit";
import { stringify } from "yaml";
import type { ClusterPreview, GuardrailFinding } from "@/lib/api/rollout-types";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { clusterDeadline } from "@/lib/server/kube/deadline";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { maskObject, requestMasker } from "@/lib/server/redact/secret-mask";
import { parseColumn, storedParamsSchema } from "@/lib/server/releases/columns";
import type { ObjectOutcome } from "@/lib/server/releases/executor";
import { comparableObject, executor } from "@/lib/server/releases/hub-push";
import { applyOptionsFor, renderRelease } from "@/lib/server/releases/release-write";
import { secretDigest } from "@/lib/server/secrets/digest-key";
import { refOf } from "@/lib/server/templates/desired";
import type { Manifest } from "@/lib/server/templates/documents";
import { toPreview } from "./preview";
import { stringRecord } from "@/lib/server/db/json";
import { checkGuardrails, loadGuardrails } from "@/lib/server/guardrails/rules";
import { refKey } from "@/lib/server/templates/desired";
import { loadContext } from "./target-steps";

/**
 * What an approver approves: one keyed digest over everything the rollout will do, taken
 * from the rollout as stored (the same render the engine will apply: revision, stored
 * parameters, where secret parameters appear as the ids of their sealed values, targets and
 * waves, strategy, health gate) and each cluster's server-side dry-run result against the
 * live objects. The dry-run part is why a kubectl edit, another rollout landing or a new
 * live default all change the digest. The material holds rendered secret values while it
 * is hashed, so the digest is an HMAC under the sealed digest key (secrets/digest-key.ts):
 * stored, it cannot be tested against guessed values. Nothing but the digest leaves here,
 * plus a preview made like the author's (masked, blind to secret values, scrubbed).
 */

export interface ChangeSnapshot {
  digest: string;
  clusters: ClusterPreview[];
  /** Guardrail denies on any cluster: the rollout cannot start while there are any. */
  denied: GuardrailFinding[];
}

/** Sorted keys, so equal objects hash equal whatever order the API server answered in. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  return value;
}

const objectMaterial = (outcome: ObjectOutcome) => ({
  ref: outcome.ref,
  action: outcome.action,
  live: outcome.live ? canonical(comparableObject(outcome.live)) : null,
  result: outcome.result ? canonical(comparableObject(outcome.result)) : null,
  error: outcome.error ?? null,
});

export async function snapshotChange(rolloutId: string): Promise<ChangeSnapshot> {
  const rollout = await db().rollout.findUniqueOrThrow({
    where: { id: rolloutId },
    select: {
      revisionId: true,
      params: true,
      strategy: true,
      healthGate: true,
      takeOwnership: true,
      tolerateFailures: true,
      autoRollback: true,
      targets: { select: { id: true, clusterId: true, waveIndex: true }, orderBy: { clusterName: "asc" } },
    },
  });
  const masker = requestMasker();
  const limit = pLimit(16);
  const timeoutMs = env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  const guardrails = await loadGuardrails();
  const perCluster = await Promise.all(
    rollout.targets.map((target) =>
      limit(async () => {
        const context = await loadContext(target.id);
        const name = context?.cluster?.name ?? target.clusterId;
        const empty: ClusterPreview = {
          clusterId: target.clusterId,
          clusterName: name,
          manifests: "",
          objects: [],
          counts: { create: 0, change: 0, unchanged: 0, prune: 0, problems: 0 },
          error: null,
        };
        const failed = (error: string) => ({
          material: { clusterId: target.clusterId, error },
          preview: { ...empty, error },
        });
        if (!context?.cluster) return failed("The cluster was deleted");
        if (!context.author.ok) return failed(`Not applied: ${context.author.reason}`);
        const rendered = await renderRelease({
          release: context.rollout.release,
          revision: context.rollout.revision,
          params: parseColumn(storedParamsSchema, context.rollout.params, "parameters"),
          cluster: context.cluster,
          reader: context.author.profile,
        });
        if (!rendered.ok) return failed(rendered.reason);
        const scrub = rendered.inputs.scrub;
        let outcomes: ObjectOutcome[];
        try {
          outcomes = await executor.apply(context.cluster.id, rendered.manifests, {
            ...applyOptionsFor("rollout", context.rollout.releaseId, {
              force: context.rollout.takeOwnership,
              actor: context.actor,
              author: context.author.profile,
              takeOwnership: context.rollout.takeOwnership,
              signal: clusterDeadline(timeoutMs),
            }),
            dryRun: true,
          });
        } catch (error) {
          return failed(scrub(`Cluster ${name}: ${classifyClusterError(error).message}`));
        }
        const objects = outcomes.map((outcome) => toPreview(outcome, masker, masker.fingerprint, true));
        const live = new Map(outcomes.map((outcome) => [refKey(outcome.ref), outcome.live ?? null]));
        const findings = checkGuardrails(
          guardrails,
          { name, labels: stringRecord(context.cluster.labels) },
          rendered.manifests,
          {
            userEmail: context.actor.email,
            groups: context.actor.teams,
            live: (object) => live.get(refKey(refOf(object as Manifest))) ?? null,
          },
        ).map((finding) => ({ ...finding, object: scrub(finding.object) }));
        const preview: ClusterPreview = {
          ...empty,
          guardrails: findings,
          manifests: scrub(rendered.manifests.map((m) => stringify(maskObject(refOf(m), m, masker))).join("---\n")),
          // Whatever the render used of a secret parameter is cut from every text (as in preview.ts).
          objects: JSON.parse(scrub(JSON.stringify(objects))) as ClusterPreview["objects"],
        };
        for (const object of preview.objects) {
          if (object.action === "create" || object.action === "change" || object.action === "unchanged")
            preview.counts[object.action] += 1;
          else preview.counts.problems += 1;
        }
        return {
          material: { clusterId: target.clusterId, objects: outcomes.map(objectMaterial), guardrails: findings },
          preview,
        };
      }),
    ),
  );
  const material = JSON.stringify(
    canonical({
      revisionId: rollout.revisionId,
      params: rollout.params,
      strategy: rollout.strategy,
      healthGate: rollout.healthGate,
      takeOwnership: rollout.takeOwnership,
      tolerateFailures: rollout.tolerateFailures,
      autoRollback: rollout.autoRollback,
      targets: rollout.targets.map((t) => ({ clusterId: t.clusterId, wave: t.waveIndex })),
      clusters: perCluster.map((entry) => entry.material),
    }),
  );
  // Hashed first so the keyed digest's input is small; the plain hash never leaves this function.
  const digest = await secretDigest("rollout-change", createHash("sha256").update(material).digest());
  const clusters = perCluster.map((entry) => entry.preview);
  const denied = clusters.flatMap((c) => (c.guardrails ?? []).filter((finding) => finding.action === "deny"));
  return { digest, clusters, denied };
}
