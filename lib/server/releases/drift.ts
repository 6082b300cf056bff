import "server-only";
import { emitEvent } from "@/lib/server/events/emit";
import { randomUUID } from "node:crypto";
import type { AccessProfile } from "@/lib/server/access/policy";
import { placesOfReleaseCluster } from "@/lib/server/access/coverage";
import { authorStanding } from "@/lib/server/access/stored-author";
import { db } from "@/lib/server/db/client";
import { env } from "@/lib/server/config/env";
import { clusterDeadline, untilDeadline } from "@/lib/server/kube/deadline";
import { logger } from "@/lib/server/log/logger";
import { secretKeyChanges } from "@/lib/server/redact/secret-keys";
import { isSecretRef } from "@/lib/server/redact/secret-mask";
import { releaseObjectsSchema, sourceDigestsSchema, storedParamsSchema } from "./columns";
import type { ObjectOutcome, ReleaseExecutor } from "./executor";
import { classifyFailure, INTERNAL_ERROR, logFailure } from "./failure";
import { executor as hubExecutor } from "./hub-push";
import { ownerText } from "./owner-words";
import { applyRelease, dryRunRelease, isProblem, recordHealed, renderRelease, type Actor } from "./release-write";
import { heldBy, holdersOf, holdForHeal, letGoOfHeal, type Holder } from "./writers";

export interface DriftEntry {
  kind: string;
  namespace: string | null;
  name: string;
  /**
   * missing, changed, taken-over, source-changed: drift. invalid, forbidden, error: the API
   * server refused to dry-run this object (its own words, bounded), which says nothing about
   * drift and is not the cluster being unreachable. not-healed: a heal could not write it.
   */
  problem: "missing" | "changed" | "taken-over" | "source-changed" | "invalid" | "forbidden" | "error" | "not-healed";
  managers?: string[];
  /**
   * taken-over: who owns the object now (another release, or managers outside Archipelago). As
   * stored, a release is a token with its id (owner-words.ts); readers get words as they may know them.
   */
  takenOverBy?: string;
  /** source-changed: which secret reference (its parameter path; never the source's data); refusals: why. */
  error?: string;
  /** A Secret that changed: which keys, and how (compared on the server; no value, no digest is kept). */
  keys?: Array<{ key: string; change: "added" | "changed" | "removed" }>;
}

const DRIFT_PROBLEMS = new Set<DriftEntry["problem"]>(["missing", "changed", "taken-over", "source-changed"]);

/** What a dry-run apply of the desired objects says about the live ones, object by object: only fields we manage count. */
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
        takenOverBy: outcome.owner ? ownerText(outcome.owner) : outcome.conflictManagers?.join(", "),
      });
    else if (outcome.action === "error" || outcome.action === "invalid" || outcome.action === "forbidden")
      entries.push({ ...base, problem: outcome.action, error: outcome.error ?? "the API server refused it" });
  }
  return entries;
}

export type DriftResult = {
  clusterId: string;
  /** held: another operation (a rollout in flight, a heal) holds this cluster; nothing was checked or written. */
  state: "unknown" | "in_sync" | "drifted" | "unreachable" | "held";
  drift: DriftEntry[];
  /** held: who holds it, e.g. "rollout … in flight". */
  heldBy?: string;
  /** A heal's outcome per object it wrote (kept, not dropped). */
  healed?: Array<{ kind: string; namespace: string | null; name: string; action: string; error?: string }>;
};

/**
 * Drift check of one release on every cluster it is on: render what should be there, ask
 * the API server to dry-run apply it (force off), and see whether that would change
 * anything we manage, recreate something missing, or collide with a manager that took
 * our fields over. Heal re-applies (taking ownership back) where drift was found, as the
 * caller (impersonated where the cluster does that), and only into the places the release
 * applied to before: a render that now lands elsewhere (a cluster variable changed) is
 * reported, never written. One cluster's problem never fails the others.
 *
 * One writer per release and cluster (writers.ts): a check only reads (dry runs) and takes no
 * hold, so it never stands in a rollout's way; a heal takes each cluster just before it writes
 * there. Asked by a person (`caller`) while a rollout holds the release, it is refused whole with
 * a 409 naming the rollout, nothing written; the scheduled round leaves clusters someone holds
 * alone and records them as held ("rollout in flight"), keeping their last real result.
 */
export async function checkReleaseDrift(
  releaseId: string,
  options: { heal: boolean; caller?: AccessProfile; executor?: ReleaseExecutor },
): Promise<DriftResult[]> {
  const release = await db().release.findUnique({
    where: { id: releaseId },
    include: {
      clusters: { include: { cluster: { select: { id: true, name: true, labels: true, variables: true } } } },
    },
  });
  if (!release) return [];
  const holders = await holdersOf(releaseId);
  const rollout = [...holders.values()].find((holder) => holder.kind === "rollout");
  if (options.caller && (rollout || (options.heal && holders.size)))
    throw heldBy(
      rollout ?? holders.values().next().value!,
      options.heal ? "This release cannot be healed now" : "Drift cannot be checked now",
    );
  const heal = options.heal
    ? { holderId: randomUUID(), label: options.caller ? `heal by ${options.caller.email}` : "scheduled heal" }
    : null;
  try {
    return await checkClusters(release, options, holders, heal);
  } finally {
    if (heal) await letGoOfHeal(heal.holderId);
  }
}

/** The words a held cluster's result and record carry. */
function heldWords(holder: Holder): string {
  return holder.kind === "rollout" ? "rollout in flight" : "heal in progress";
}

async function checkClusters(
  release: {
    id: string;
    name: string;
    clusters: Array<{
      clusterId: string;
      revisionId: string;
      params: unknown;
      objects: unknown;
      sourceDigests: unknown;
      appliedAt: Date;
      cluster: { id: string; name: string; labels: unknown; variables: unknown };
    }>;
  },
  options: { heal: boolean; caller?: AccessProfile; executor?: ReleaseExecutor },
  holders: Map<string, Holder>,
  heal: { holderId: string; label: string } | null,
): Promise<DriftResult[]> {
  const releaseId = release.id;
  // Most clusters of a release run the same revision: read each revision once.
  const revisionIds = [...new Set(release.clusters.map((entry) => entry.revisionId))];
  const revisions = new Map(
    (await db().templateRevision.findMany({ where: { id: { in: revisionIds } } })).map((revision) => [
      revision.id,
      revision,
    ]),
  );
  // A result is recorded only over the record it was computed from: a rollout that wrote the
  // cluster meanwhile (appliedAt moved) or holds it now has the newer word.
  const record = async (
    entry: { clusterId: string; appliedAt: Date; objects: unknown; cluster: { name: string } },
    state: Exclude<DriftResult["state"], "held">,
    details: object[],
    healedNow = false,
  ) => {
    await db().$transaction(async (tx) => {
      const updated = await tx.$queryRaw<Array<{ prev: string }>>`
        UPDATE release_clusters c
        SET drift_state = ${state}::"DriftState", drift_checked_at = now(), drift_details = ${JSON.stringify(details)}::jsonb
        FROM (SELECT drift_state::text AS prev FROM release_clusters
              WHERE release_id = ${releaseId}::uuid AND cluster_id = ${entry.clusterId}::uuid FOR UPDATE) old
        WHERE c.release_id = ${releaseId}::uuid AND c.cluster_id = ${entry.clusterId}::uuid
          AND c.applied_at = ${entry.appliedAt}
          AND NOT EXISTS (
            SELECT 1 FROM release_writers w
            WHERE w.release_id = c.release_id AND w.cluster_id = c.cluster_id AND w.kind = 'rollout'
          )
        RETURNING old.prev`;
      const prev = updated[0]?.prev;
      if (prev === undefined) return;
      // News only on a change: drift found where there was none, or gone (healed here or fixed by hand).
      const type =
        state === "drifted" && prev !== "drifted"
          ? "drift.detected"
          : state === "in_sync" && (prev === "drifted" || healedNow)
            ? "drift.healed"
            : null;
      if (type)
        await emitEvent(tx, {
          type,
          subject: { releaseId, releaseName: release.name, healedBy: healedNow ? (heal?.label ?? null) : null },
          clusters: [
            {
              clusterId: entry.clusterId,
              clusterName: entry.cluster.name,
              // Where the release wrote there: who hears it is decided as for reading the release.
              places: placesOfReleaseCluster(entry).flatMap((place) =>
                place.namespace === undefined ? [] : [{ namespace: place.namespace }],
              ),
              driftState: state,
              problems: details.length,
            },
          ],
        });
    });
  };
  // Held: the last real result stays (state and entries); one entry says why this round left it.
  const recordHeld = async (clusterId: string, words: string) => {
    const row = await db().releaseCluster.findUnique({
      where: { releaseId_clusterId: { releaseId, clusterId } },
      select: { driftDetails: true },
    });
    if (!row) return;
    const kept = (Array.isArray(row.driftDetails) ? row.driftDetails : []).filter(
      (d) => !(d && typeof d === "object" && "problem" in d && d.problem === "held"),
    );
    await db().releaseCluster.updateMany({
      where: { releaseId, clusterId },
      data: {
        driftDetails: [
          ...(kept as object[]),
          { problem: "held", error: `Not checked at ${new Date().toISOString()}: ${words}` },
        ],
      },
    });
  };
  const heldResult = async (clusterId: string, holder: Holder | null): Promise<DriftResult> => {
    const words = holder ? heldWords(holder) : "a rollout wrote here while this round ran";
    await recordHeld(clusterId, words);
    return { clusterId, state: "held", drift: [], heldBy: words };
  };
  // Secret references are read for whoever checks or heals, else (the scheduled round) for the
  // CURRENT access of the author of the release's newest rollout, who must still be allowed to
  // act (access/may-act.ts): if not, the round still checks, but never heals for them.
  let reader: AccessProfile | null = options.caller ?? null;
  let healRefused: string | null = null;
  if (!options.caller) {
    const author = await db().rollout.findFirst({
      where: { releaseId },
      orderBy: { createdAt: "desc" },
      select: { createdById: true },
    });
    const standing = await authorStanding(author?.createdById ?? null);
    if (standing.ok) reader = standing.profile;
    else healRefused = `Not healed: ${standing.reason}`;
  }
  const actor: Actor | undefined = options.caller
    ? { email: options.caller.email, teams: options.caller.teamNames, providerGroups: options.caller.providerGroups }
    : undefined;
  // The hub's executor, unless a test wraps it to decide when a cluster call returns.
  const executor = options.executor ?? hubExecutor;
  // One deadline per cluster, started with the fan-out: it covers everything the check asks of
  // that cluster (the secret-source reads of its render, its dry run), so no cluster costs more
  // than the limit whatever the others do. No queue in front: the work is waiting on clusters,
  // and a queue would make a healthy cluster wait behind hung ones (the limit again, per slot).
  const timeoutMs = env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  const deadlines = new Map(release.clusters.map((entry) => [entry.clusterId, clusterDeadline(timeoutMs)]));
  return Promise.all(
    release.clusters.map(async (entry): Promise<DriftResult> => {
      const clusterId = entry.clusterId;
      const holder = holders.get(clusterId);
      if (holder) {
        logger.info({ event: "release.drift_skipped_held", releaseId, clusterId }, "held by another writer");
        return heldResult(clusterId, holder);
      }
      const writer = heal ? { releaseId, clusterId, holderId: heal.holderId } : null;
      const revision = revisions.get(entry.revisionId);
      const params = storedParamsSchema.safeParse(entry.params);
      const objects = releaseObjectsSchema.safeParse(entry.objects);
      const appliedDigests = sourceDigestsSchema.safeParse(entry.sourceDigests);
      if (!revision || !params.success || !objects.success) {
        await record(entry, "unknown", [{ error: "The release's revision or parameters no longer render" }]);
        return { clusterId, state: "unknown", drift: [] };
      }
      try {
        // Secret inputs that cannot be had (a source Secret gone or unreachable, a sealed value missing)
        // leave the state unknown with the reason: nothing is applied, no copy is removed.
        const deadline = deadlines.get(clusterId)!;
        const rendered = await untilDeadline(
          renderRelease({ release, revision, params: params.data, cluster: entry.cluster, reader }),
          deadline,
        );
        if (!rendered.ok) {
          const reason =
            rendered.cause === "secret-input"
              ? `${rendered.reason}; the copies here were left as they are`
              : "The release's revision or parameters no longer render";
          await record(entry, "unknown", [{ error: reason }]);
          return { clusterId, state: "unknown", drift: [] };
        }
        const digests = appliedDigests.success ? appliedDigests.data : {};
        // Compared by keyed digests: which references' sources changed since they were applied here.
        const sourceDrift = Object.entries(rendered.inputs.sourceDigests)
          .filter(([path, digest]) => digests[path] !== undefined && digests[path] !== digest)
          .map(([path]): DriftEntry => ({
            kind: "SecretReference",
            namespace: null,
            name: path,
            problem: "source-changed",
            error: `Secret reference ${path}: the source changed since it was applied here`,
          }));
        // The check's calls run under the fan-out's deadline (a real heal's apply gets none: a write
        // is never cut off half-way, so the re-check after it gets a deadline of its own); an object
        // another release or someone outside owns is reported, never healed back (one owner per object).
        const dryRun = (signal: AbortSignal) =>
          dryRunRelease(executor, { releaseId, clusterId }, rendered.manifests, { author: reader, signal });
        let drift = [...driftOf(await dryRun(deadline)), ...sourceDrift];
        let healed: DriftResult["healed"];
        const drifted = drift.some((d) => DRIFT_PROBLEMS.has(d.problem));
        if (drifted && writer && heal) {
          const allowed = objects.data.length ? new Set(objects.data.map((ref) => ref.namespace)) : null;
          const outside = rendered.manifests.filter((m) => allowed && !allowed.has(m.metadata.namespace ?? null));
          const notHealed = healRefused
            ? healRefused
            : outside.length
              ? `Not healed: the template now renders into ${[...new Set(outside.map((m) => m.metadata.namespace ?? "cluster-scoped"))].join(", ")}, outside what this release applied; start a rollout`
              : null;
          if (notHealed) {
            await record(entry, "drifted", [...drift, { error: notHealed }]);
            return { clusterId, state: "drifted", drift };
          }
          // The hold is taken (or renewed) as this cluster's write starts, not when the round began.
          const taken = await holdForHeal({ ...writer, label: heal.label, appliedAt: entry.appliedAt });
          if (!taken.ok) return heldResult(clusterId, taken.holder);
          let outcomes: ObjectOutcome[];
          try {
            outcomes = await applyRelease(executor, writer, rendered.manifests, "heal", {
              force: true,
              actor,
              author: reader,
            });
            if (!outcomes.some(isProblem)) await recordHealed(writer, rendered.inputs.sourceDigests);
          } finally {
            // Written and recorded: the cluster is free again before the check that follows.
            await letGoOfHeal(writer.holderId, clusterId);
          }
          healed = outcomes.map((o) => ({
            ...o.ref,
            action: o.action,
            ...(o.error ? { error: rendered.inputs.scrub(o.error) } : {}),
          }));
          drift = [
            ...driftOf(await dryRun(clusterDeadline(timeoutMs))),
            ...outcomes.filter(isProblem).map((o): DriftEntry => ({
              kind: o.ref.kind,
              namespace: o.ref.namespace,
              name: o.ref.name,
              problem: "not-healed",
              error: rendered.inputs.scrub(o.error ?? o.action),
            })),
          ];
        }
        const state = drift.some((d) => DRIFT_PROBLEMS.has(d.problem) || d.problem === "not-healed")
          ? "drifted"
          : drift.length
            ? "unknown"
            : "in_sync";
        await record(entry, state, drift as unknown as object[], healed !== undefined);
        return { clusterId, state, drift, ...(healed ? { healed } : {}) };
      } catch (error) {
        // Classified once: a cluster that failed is unreachable; our own bug is an internal error.
        const failure = classifyFailure(error);
        logFailure(failure, error, { releaseId, clusterId }, "release.drift_check_failed");
        if (failure.cause === "cluster") {
          await record(entry, "unreachable", [{ error: failure.message }]);
          return { clusterId, state: "unreachable", drift: [] };
        }
        await record(entry, "unknown", [{ error: `${INTERNAL_ERROR}; the operators' log has the details` }]);
        return { clusterId, state: "unknown", drift: [] };
      }
    }),
  );
}

/** The periodic round: every release, healing those set to heal automatically; one bad release never stops the round. */
export async function checkAllReleases(): Promise<void> {
  const releases = await db().release.findMany({ select: { id: true, autoHeal: true } });
  for (const release of releases) {
    try {
      await checkReleaseDrift(release.id, { heal: release.autoHeal });
    } catch (error) {
      logFailure(classifyFailure(error), error, { releaseId: release.id }, "release.drift_check_failed");
    }
  }
}
