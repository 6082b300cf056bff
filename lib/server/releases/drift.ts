import "server-only";
import { z } from "zod";
import { SecretParamMissingError } from "@/lib/server/secrets/sealed-params";
import { paramsForRender, type RenderInputs } from "./secret-render";
import { SourceSecretError } from "./secret-source";
import { secretKeyChanges } from "@/lib/server/redact/secret-keys";
import { isSecretRef } from "@/lib/server/redact/secret-mask";

const sourceDigestsSchema = z.record(z.string(), z.string()).catch({});
import pLimit from "p-limit";
import type { AccessProfile } from "@/lib/server/access/policy";
import { currentProfileOf } from "@/lib/server/access/stored-author";
import { db } from "@/lib/server/db/client";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { clusterDeadline } from "@/lib/server/kube/deadline";
import { env } from "@/lib/server/config/env";
import { logger } from "@/lib/server/log/logger";
import { desiredObjects, renderTargetOf, revisionSourceOf } from "@/lib/server/templates/desired";
import { ownerWords, type ObjectOutcome } from "./executor";
import { executor } from "./hub-push";

export interface DriftEntry {
  kind: string;
  namespace: string | null;
  name: string;
  problem: "missing" | "changed" | "taken-over" | "source-changed";
  managers?: string[];
  /** taken-over: who owns the object now (another release, or managers outside Archipelago). */
  takenOverBy?: string;
  /** source-changed: which secret reference (its parameter path; never the source's data). */
  error?: string;
  /** A Secret that changed: which keys, and how (compared on the server; no value, no digest is kept). */
  keys?: Array<{ key: string; change: "added" | "changed" | "removed" }>;
}

/** What a dry-run apply of the desired objects says about the live ones: only fields we manage count. */
function driftOf(outcomes: ObjectOutcome[]): DriftEntry[] {
  const entries: DriftEntry[] = [];
  for (const outcome of outcomes) {
    const base = { kind: outcome.ref.kind, namespace: outcome.ref.namespace, name: outcome.ref.name };
    if (outcome.action === "created") entries.push({ ...base, problem: "missing" });
    else if (outcome.action === "configured") {
      const keys = isSecretRef(outcome.ref)
        ? secretKeyChanges(outcome.live, outcome.result, () => "")
            .filter((entry) => entry.change !== "unchanged")
            .map(({ key, change }) => ({ key, change: change as "added" | "changed" | "removed" }))
        : [];
      entries.push({ ...base, problem: "changed", ...(keys.length ? { keys } : {}) });
    } else if (outcome.action === "conflict")
      entries.push({
        ...base,
        problem: "taken-over",
        managers: outcome.conflictManagers,
        takenOverBy: outcome.owner ? ownerWords(outcome.owner) : outcome.conflictManagers?.join(", "),
      });
    else if (outcome.action === "error" || outcome.action === "invalid" || outcome.action === "forbidden")
      throw new Error(outcome.error ?? "dry-run failed");
  }
  return entries;
}

/** Namespaces (null: cluster-scoped) of what the release applied on a cluster: the places its rollouts were allowed to write. */
function appliedPlaces(objects: unknown): Set<string | null> | null {
  if (!Array.isArray(objects) || objects.length === 0) return null;
  return new Set(objects.map((ref) => (ref as { namespace?: string | null }).namespace ?? null));
}

type DriftResult = { clusterId: string; state: "unknown" | "in_sync" | "drifted" | "unreachable"; drift: DriftEntry[] };

/**
 * Drift check of one release on every cluster it is on: render what should be there, ask
 * the API server to dry-run apply it (force off), and see whether that would change
 * anything we manage, recreate something missing, or collide with a manager that took
 * our fields over. Heal re-applies (taking ownership back) where drift was found, as the
 * caller (impersonated where the cluster does that), and only into the places the release
 * applied to before: a render that now lands elsewhere (a cluster variable changed) is
 * reported, never written. One cluster's problem never fails the others.
 */
export async function checkReleaseDrift(
  releaseId: string,
  options: { heal: boolean; caller?: AccessProfile },
): Promise<DriftResult[]> {
  const release = await db().release.findUnique({
    where: { id: releaseId },
    include: {
      clusters: { include: { cluster: { select: { id: true, name: true, labels: true, variables: true } } } },
    },
  });
  if (!release) return [];
  // Most clusters of a release run the same revision: read each revision once.
  const revisionIds = [...new Set(release.clusters.map((entry) => entry.revisionId))];
  const revisions = new Map(
    (await db().templateRevision.findMany({ where: { id: { in: revisionIds } } })).map((revision) => [
      revision.id,
      revision,
    ]),
  );
  const record = async (clusterId: string, state: DriftResult["state"], details: object[]) => {
    // updateMany: the row may be gone meanwhile (a rollback removed it); that is not an error.
    await db().releaseCluster.updateMany({
      where: { releaseId, clusterId },
      data: { driftState: state, driftCheckedAt: new Date(), driftDetails: details },
    });
  };
  // Secret references are read for whoever checks or heals, else (the scheduled round) for the
  // CURRENT access of the author of the release's newest rollout; readSourceSecret decides each read.
  const author = options.caller
    ? null
    : await db().rollout.findFirst({
        where: { releaseId },
        orderBy: { createdAt: "desc" },
        select: { createdById: true },
      });
  const reader = options.caller ?? (await currentProfileOf(author?.createdById ?? null));
  const actor = options.caller
    ? { email: options.caller.email, teams: options.caller.teamNames, providerGroups: options.caller.providerGroups }
    : undefined;
  // One owner per object: an object another release (or someone outside) owns is reported, never healed back.
  const owner = { releaseId, takeOwnership: false, author: reader };
  const limit = pLimit(8);
  const timeoutMs = env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  return Promise.all(
    release.clusters.map((entry) =>
      limit(async (): Promise<DriftResult> => {
        const revision = revisions.get(entry.revisionId);
        const stored =
          entry.params && typeof entry.params === "object" ? (entry.params as Record<string, unknown>) : null;
        // Secret inputs that cannot be had (a source Secret gone or unreachable, a sealed value that does
        // not open) leave the state unknown with the reason: nothing is applied, no copy is removed.
        let inputs: RenderInputs | null = null;
        if (stored && revision) {
          try {
            inputs = await paramsForRender(release.id, stored, { schema: revision.schema, reader });
          } catch (error) {
            const reason =
              error instanceof SourceSecretError || error instanceof SecretParamMissingError
                ? error.message
                : "The release's sealed parameters do not open";
            await record(entry.clusterId, "unknown", [{ error: `${reason}; the copies here were left as they are` }]);
            return { clusterId: entry.clusterId, state: "unknown", drift: [] };
          }
        }
        const appliedDigests = sourceDigestsSchema.parse(entry.sourceDigests);
        // Compared by keyed digests: which references' sources changed since they were applied here.
        const sourceDrift = (digests: Record<string, string>): DriftEntry[] =>
          Object.entries(digests)
            .filter(([path, digest]) => appliedDigests[path] !== undefined && appliedDigests[path] !== digest)
            .map(([path]) => ({
              kind: "SecretReference",
              namespace: null,
              name: path,
              problem: "source-changed",
              error: `Secret reference ${path}: the source changed since it was applied here`,
            }));
        const desired =
          revision && inputs
            ? await desiredObjects(revisionSourceOf(revision), inputs.params, renderTargetOf(entry.cluster), {
                id: release.id,
                name: release.name,
              })
            : null;
        if (!desired?.ok) {
          await record(entry.clusterId, "unknown", [
            { error: "The release's revision or parameters no longer render" },
          ]);
          return { clusterId: entry.clusterId, state: "unknown", drift: [] };
        }
        let drift: DriftEntry[];
        try {
          drift = [
            ...driftOf(
              await executor.apply(entry.clusterId, desired.manifests, {
                dryRun: true,
                force: false,
                owner,
                signal: clusterDeadline(timeoutMs),
              }),
            ),
            ...sourceDrift(inputs!.sourceDigests),
          ];
          if (drift.length && options.heal) {
            const allowed = appliedPlaces(entry.objects);
            const outside = desired.manifests.filter((m) => allowed && !allowed.has(m.metadata.namespace ?? null));
            if (outside.length) {
              const where = [...new Set(outside.map((m) => m.metadata.namespace ?? "cluster-scoped"))].join(", ");
              await record(entry.clusterId, "drifted", [
                ...drift,
                {
                  error: `Not healed: the template now renders into ${where}, outside what this release applied; start a rollout`,
                },
              ]);
              return { clusterId: entry.clusterId, state: "drifted", drift };
            }
            const healed = await executor.apply(entry.clusterId, desired.manifests, {
              dryRun: false,
              force: true,
              actor,
              owner,
            });
            if (!healed.some((o) => ["conflict", "invalid", "forbidden", "error"].includes(o.action)))
              await db().releaseCluster.updateMany({
                where: { releaseId, clusterId: entry.clusterId },
                data: { sourceDigests: inputs!.sourceDigests },
              });
            drift = driftOf(
              await executor.apply(entry.clusterId, desired.manifests, {
                dryRun: true,
                force: false,
                owner,
                signal: clusterDeadline(timeoutMs),
              }),
            );
          }
        } catch (error) {
          await record(entry.clusterId, "unreachable", [{ error: classifyClusterError(error).message }]);
          return { clusterId: entry.clusterId, state: "unreachable", drift: [] };
        }
        const state = drift.length ? "drifted" : "in_sync";
        await record(entry.clusterId, state, drift as unknown as object[]);
        return { clusterId: entry.clusterId, state, drift };
      }),
    ),
  );
}

/** The periodic round: every release, healing those set to heal automatically; one bad release never stops the round. */
export async function checkAllReleases(): Promise<void> {
  const releases = await db().release.findMany({ select: { id: true, autoHeal: true } });
  for (const release of releases) {
    try {
      await checkReleaseDrift(release.id, { heal: release.autoHeal });
    } catch (error) {
      logger.warn(
        {
          event: "release.drift_check_failed",
          releaseId: release.id,
          errorName: error instanceof Error ? error.name : "unknown",
        },
        "a release's drift check failed",
      );
    }
  }
}
