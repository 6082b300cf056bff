import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/server/db/client";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { logger } from "@/lib/server/log/logger";
import {
  desiredObjects,
  refKey,
  refOf,
  renderTargetOf,
  revisionSourceOf,
  type ObjectRef,
} from "@/lib/server/templates/desired";
import { targetScopeSchema } from "@/lib/server/access/coverage";
import { currentProfileOf } from "@/lib/server/access/stored-author";
import { isReady, type ObjectOutcome, type ReleaseExecutor } from "@/lib/server/releases/executor";
import { paramsForRender, type RenderInputs } from "@/lib/server/releases/secret-render";
import { SourceSecretError } from "@/lib/server/releases/secret-source";
import { SecretParamMissingError } from "@/lib/server/secrets/sealed-params";

/** Secret inputs that cannot be had (a source Secret gone or unreachable, a sealed value missing) fail at once, plainly. */
const isSecretInputError = (error: unknown): error is Error =>
  error instanceof SourceSecretError || error instanceof SecretParamMissingError;
import {
  CorruptColumnError,
  parseColumn,
  previousStateSchema,
  storedHealthGateSchema,
  storedParamsSchema,
  storedStrategySchema,
  targetObjectsSchema,
  type PreviousState,
} from "./columns";
import { enqueue, enqueueMany, instanceId, QUEUES } from "@/lib/server/jobs/queue";
import { nextState, TERMINAL_ROLLOUT_STATES, TERMINAL_TARGET_STATES, type RolloutStateValue } from "./state-machine";

/**
 * The rollout state machine (its table: state-machine.ts). Every transition happens in a
 * transaction that locks the rollout row, so two workers (or two app instances) never decide
 * the same step twice; per-target steps are claimed with conditional updates and logged with
 * a unique (target, step) key, so a step finished before a crash is never repeated after it.
 * The engine talks to clusters only through the ReleaseExecutor it is handed (worker.ts
 * hands it the hub-push one; tests hand it a fake).
 */
/** Longest wait between two health reads; a watch event on a workload ends it sooner. */
const GATE_RECHECK_MS = 2000;

type Tx = Prisma.TransactionClient;

/**
 * Logs a step once: a second attempt is a no-op (ON CONFLICT DO NOTHING on the unique
 * (target, step) key) rather than an error, which would also abort a surrounding transaction.
 */
async function logStep(
  tx: Tx | ReturnType<typeof db>,
  rolloutId: string,
  targetId: string | null,
  step: string,
  details: Record<string, unknown> = {},
): Promise<boolean> {
  const { count } = await tx.rolloutEvent.createMany({
    data: [{ rolloutId, targetId, step, instance: instanceId(), details: details as object }],
    skipDuplicates: true,
  });
  return count === 1;
}

/** This instance no longer holds the target (the sweep ended it, or another worker took it over): stop, write nothing. */
class LostClaimError extends Error {
  override name = "LostClaimError";
}

/**
 * A target's new state and the step that explains it, together: nobody sees one without the
 * other. Written only while this instance still holds the target and it is not finished, so a
 * worker that lost its claim (declared dead, or ended by the sweep) can never overwrite the
 * outcome someone else recorded.
 */
async function recordTargetStep(
  targetId: string,
  data: Prisma.RolloutTargetUpdateManyMutationInput,
  rolloutId: string,
  step: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await db().$transaction(async (tx) => {
    const { count } = await tx.rolloutTarget.updateMany({
      where: { id: targetId, claimedBy: instanceId(), state: { notIn: [...TERMINAL_TARGET_STATES] } },
      data,
    });
    if (count === 0) throw new LostClaimError(`target ${targetId} is no longer held by this instance`);
    await logStep(tx, rolloutId, targetId, step, details);
  });
}

const hasStep = async (targetId: string, step: string) =>
  Boolean(await db().rolloutEvent.findUnique({ where: { targetId_step: { targetId, step } }, select: { id: true } }));

/** Moves a rollout forward as far as it can go now. Safe to call any number of times. */
export async function advance(rolloutId: string): Promise<void> {
  const jobs: Array<() => Promise<void>> = [];
  await db().$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM rollouts WHERE id = ${rolloutId}::uuid FOR UPDATE`;
      const rollout = await tx.rollout.findUnique({
        where: { id: rolloutId },
        include: { waves: { orderBy: { index: "asc" } }, targets: true },
      });
      if (!rollout || rollout.state === "paused" || TERMINAL_ROLLOUT_STATES.includes(rollout.state)) return;
      const now = new Date();
      const moveTo = (event: Parameters<typeof nextState>[1]) => nextState(rollout.state as RolloutStateValue, event)!;

      if (rollout.state === "rolling_back") {
        if (rollout.targets.some((t) => t.state === "rolling_back")) return;
        const notRolledBack = await tx.rolloutEvent.count({ where: { rolloutId, step: "target.rollback-failed" } });
        await tx.rollout.update({
          where: { id: rolloutId },
          data: notRolledBack
            ? {
                state: moveTo("rollback-failed"),
                finishedAt: now,
                message: `${notRolledBack} cluster(s) could not be rolled back; see their notes`,
              }
            : { state: moveTo("rollback-done"), finishedAt: now },
        });
        await logStep(tx, rolloutId, null, notRolledBack ? "rollout.rollback-failed" : "rollout.rolled-back");
        return;
      }
      const strategy = storedStrategySchema.safeParse(rollout.strategy);
      if (!strategy.success) {
        await tx.rollout.update({
          where: { id: rolloutId },
          data: { state: moveTo("corrupt"), finishedAt: now, message: "The stored strategy is not valid; stopped" },
        });
        await tx.rolloutTarget.updateMany({
          where: { rolloutId, state: { in: ["pending", "queued"] } },
          data: { state: "skipped" },
        });
        await logStep(tx, rolloutId, null, "rollout.corrupt", { column: "strategy" });
        return;
      }

      for (let guard = 0; guard < 1000; guard += 1) {
        const wave = rollout.waves[rollout.currentWave];
        if (!wave) {
          await tx.rollout.update({ where: { id: rolloutId }, data: { state: moveTo("waves-done"), finishedAt: now } });
          await logStep(tx, rolloutId, null, "rollout.succeeded");
          return;
        }
        const targets = rollout.targets.filter((t) => t.waveIndex === wave.index);
        if (wave.state === "pending") {
          await tx.rolloutWave.update({
            where: { rolloutId_index: { rolloutId, index: wave.index } },
            data: { state: "running", startedAt: now },
          });
          await tx.rolloutTarget.updateMany({
            where: { rolloutId, waveIndex: wave.index, state: "pending" },
            data: { state: "queued" },
          });
          await logStep(tx, rolloutId, null, `wave.${wave.index}.started`);
          jobs.push(() =>
            enqueueMany(
              QUEUES.target,
              targets.map((target) => ({ targetId: target.id })),
            ),
          );
          return;
        }
        if (targets.some((t) => !TERMINAL_TARGET_STATES.has(t.state))) {
          // After a resume (or a lost job): targets waiting unclaimed go back to the workers.
          const waiting = targets.filter((t) => t.claimedBy === null && (t.state === "queued" || t.state === "gating"));
          if (waiting.length)
            jobs.push(() =>
              enqueueMany(
                QUEUES.target,
                waiting.map((target) => ({ targetId: target.id })),
              ),
            );
          return;
        }

        const failed = rollout.targets.filter((t) => t.state === "failed").length;
        if (failed > rollout.tolerateFailures) {
          await tx.rolloutWave.update({
            where: { rolloutId_index: { rolloutId, index: wave.index } },
            data: { state: "failed", finishedAt: now },
          });
          await tx.rolloutTarget.updateMany({ where: { rolloutId, state: "pending" }, data: { state: "skipped" } });
          if (rollout.autoRollback) {
            const toRollBack = targets.filter((t) => t.state === "failed" || t.state === "succeeded");
            await tx.rolloutTarget.updateMany({
              where: { id: { in: toRollBack.map((t) => t.id) } },
              data: { state: "rolling_back", claimedBy: null },
            });
            await tx.rollout.update({
              where: { id: rolloutId },
              data: {
                state: toRollBack.length ? moveTo("wave-failed-roll-back") : moveTo("wave-failed"),
                finishedAt: toRollBack.length ? null : now,
                message: toRollBack.length
                  ? `${failed} cluster(s) failed in wave ${wave.index + 1}; rolling back that wave`
                  : `${failed} cluster(s) failed in wave ${wave.index + 1}; nothing to roll back; stopped`,
              },
            });
            jobs.push(() =>
              enqueueMany(
                QUEUES.rollback,
                toRollBack.map((target) => ({ targetId: target.id })),
              ),
            );
          } else {
            await tx.rollout.update({
              where: { id: rolloutId },
              data: {
                state: moveTo("wave-failed"),
                finishedAt: now,
                message: `${failed} cluster(s) failed in wave ${wave.index + 1}; stopped`,
              },
            });
          }
          await logStep(tx, rolloutId, null, `wave.${wave.index}.failed`, { failed });
          return;
        }

        const bakeSeconds = strategy.data.kind === "waves" ? strategy.data.bakeSeconds : 0;
        const hasNext = Boolean(rollout.waves[rollout.currentWave + 1]);
        if (hasNext && bakeSeconds > 0) {
          if (!wave.bakeUntil) {
            const bakeUntil = new Date(now.getTime() + bakeSeconds * 1000);
            await tx.rolloutWave.update({
              where: { rolloutId_index: { rolloutId, index: wave.index } },
              data: { state: "baking", bakeUntil },
            });
            jobs.push(() => enqueue(QUEUES.advance, { rolloutId }, bakeUntil));
            return;
          }
          if (wave.bakeUntil > now) return;
        }
        await tx.rolloutWave.update({
          where: { rolloutId_index: { rolloutId, index: wave.index } },
          data: { state: "succeeded", finishedAt: now },
        });
        await logStep(tx, rolloutId, null, `wave.${wave.index}.succeeded`);
        rollout.currentWave += 1;
        await tx.rollout.update({ where: { id: rolloutId }, data: { currentWave: rollout.currentWave } });
      }
    },
    { timeout: 30_000 },
  );
  for (const job of jobs) await job();
}

async function loadContext(targetId: string) {
  const target = await db().rolloutTarget.findUnique({
    where: { id: targetId },
    include: { rollout: { include: { revision: true, release: true } } },
  });
  if (!target) return null;
  const cluster = await db().cluster.findUnique({
    where: { id: target.clusterId },
    select: { id: true, name: true, labels: true, variables: true },
  });
  // Cluster calls act as the user who started the rollout (impersonated where the cluster does that).
  // Secret references are read for the author's CURRENT access (none when disabled or deleted).
  const reader = await currentProfileOf(target.rollout.createdById);
  // Teams as recorded at start; a single sign-on author's provider groups as of their last sign-in.
  const actor = {
    email: target.rollout.createdByEmail,
    teams: target.rollout.createdByTeams,
    providerGroups: reader?.providerGroups ?? [],
  };
  return { target, rollout: target.rollout, cluster, actor, reader };
}

function summarize(outcomes: ObjectOutcome[], scrub: (text: string) => string = (text) => text) {
  return outcomes.map((o) => ({
    ...o.ref,
    action: o.action,
    ...(o.error ? { error: scrub(o.error) } : {}),
    ...(o.conflictManagers?.length ? { conflictManagers: o.conflictManagers } : {}),
  }));
}

/**
 * What a failed step hands back to pg-boss, which stores a thrown error (message and stack) in
 * pgboss.job.output: a fixed sentence with the classified code, never the caught error itself,
 * which may quote a rendered secret value. The step log and the log line carry the same code.
 */
class TargetStepError extends Error {
  override name = "TargetStepError";
}
const forQueue = (error: unknown) =>
  new TargetStepError(
    `a rollout target step failed (${error instanceof CorruptColumnError ? "corrupt_column" : classifyClusterError(error).code}); it will be retried`,
  );

/** After this many failed attempts at one target (each logged as a step), it fails with the last reason. */
export const MAX_TARGET_ATTEMPTS = 5;

/**
 * Records an error caught while working on a target: a step on the target (visible on the
 * rollout page), and a structured log line (`event` and `code` are stable, for metrics).
 * Returns how many attempts have failed so far.
 */
async function recordAttemptFailure(rolloutId: string, targetId: string, error: unknown): Promise<number> {
  const reason =
    error instanceof CorruptColumnError ? error.message : classifyClusterError(error).message.slice(0, 300);
  const code = error instanceof CorruptColumnError ? "corrupt_column" : classifyClusterError(error).code;
  const attempts = await db().rolloutEvent.count({
    where: { targetId, step: { startsWith: "target.attempt-failed." } },
  });
  await logStep(db(), rolloutId, targetId, `target.attempt-failed.${attempts + 1}`, { reason, code });
  logger.warn(
    { event: "rollout.target.attempt_failed", rolloutId, targetId, code, attempt: attempts + 1 },
    "a rollout target's step failed",
  );
  return attempts + 1;
}

/** Claims a target for this instance: a queued one (it starts applying) or one a pause left waiting before its gate. */
async function claim(targetId: string): Promise<boolean> {
  const now = new Date();
  // Only while the rollout runs: once paused, no target that has not started applying starts.
  const queued = await db().rolloutTarget.updateMany({
    where: { id: targetId, state: "queued", rollout: { state: "running" } },
    data: { state: "applying", claimedBy: instanceId(), claimedAt: now },
  });
  if (queued.count === 1) return true;
  const waiting = await db().rolloutTarget.updateMany({
    where: { id: targetId, state: "gating", claimedBy: null, rollout: { state: "running" } },
    data: { claimedBy: instanceId(), claimedAt: now },
  });
  return waiting.count === 1;
}

/** Applies the rollout's revision to one cluster, waits for its health gate, and records the outcome. */
export async function runTarget(targetId: string, executor: ReleaseExecutor): Promise<void> {
  if (!(await claim(targetId))) return; // done, someone else is on it, or the rollout is not running
  const context = await loadContext(targetId);
  if (!context) return;
  const { target, rollout, cluster, actor, reader } = context;
  const finish = async (state: "succeeded" | "failed", data: Prisma.RolloutTargetUpdateManyMutationInput) => {
    // Before the advance: the rollout may only finish once this step is on record.
    await recordTargetStep(
      targetId,
      { ...data, state, finishedAt: new Date(), claimedBy: null },
      rollout.id,
      state === "succeeded" ? "target.succeeded" : "target.failed",
      { error: data.error ?? null },
    );
    await advance(rollout.id);
  };
  /**
   * The pause caught this target: it lets go and waits, unclaimed, before its health gate.
   * Only while the rollout is still paused (an abort or resume in between would strand it).
   */
  const letGo = async (): Promise<boolean> => {
    const { count } = await db().rolloutTarget.updateMany({
      where: { id: targetId, claimedBy: instanceId(), rollout: { state: "paused" } },
      data: { state: "gating", claimedBy: null },
    });
    if (count === 1) await logStep(db(), rollout.id, targetId, `target.paused.${Date.now()}`);
    return count === 1;
  };
  // A cluster deleted while the rollout targets it (deletion is refused then, but a row can still go).
  if (!cluster) return await finish("failed", { error: "The cluster was deleted while the rollout targeted it" });

  try {
    const params = parseColumn(storedParamsSchema, rollout.params, "parameters");
    const { timeoutSeconds } = parseColumn(storedHealthGateSchema, rollout.healthGate, "health gate");
    // Secret values are opened (and referenced Secrets read, as the author) here, rendered,
    // applied, and dropped with this scope. Without them nothing is applied and nothing removed.
    let inputs: RenderInputs;
    try {
      inputs = await paramsForRender(rollout.releaseId, params, { schema: rollout.revision.schema, reader });
    } catch (error) {
      if (isSecretInputError(error)) return await finish("failed", { error: error.message });
      throw error;
    }
    const desired = await desiredObjects(revisionSourceOf(rollout.revision), inputs.params, renderTargetOf(cluster), {
      id: rollout.release.id,
      name: rollout.release.name,
    });
    if (!desired.ok) return await finish("failed", { error: desired.issues.map((i) => i.message).join("; ") });
    // Write only where the start checked (its recorded scope): a render that now lands elsewhere
    // (an admin changed a cluster's labels or variables since) fails instead of widening the rollout.
    const scope = targetScopeSchema.safeParse(target.scope);
    if (scope.success && scope.data.length) {
      const checked = new Set(scope.data.map((place) => place.namespace));
      const outside = desired.manifests.filter((m) => !checked.has(m.metadata.namespace ?? null));
      if (outside.length)
        return await finish("failed", {
          error:
            `The template now renders into ${[...new Set(outside.map((m) => m.metadata.namespace ?? "cluster-scoped objects"))].join(", ")}, ` +
            "outside what was checked when this rollout started; start a new rollout",
        });
    }
    const refs = desired.manifests.map(refOf);

    if (!(await hasStep(targetId, "target.applied"))) {
      // What the release had here before, kept for rollback.
      const before = await db().releaseCluster.findUnique({
        where: { releaseId_clusterId: { releaseId: rollout.releaseId, clusterId: cluster.id } },
      });
      const previous: PreviousState = before
        ? {
            revisionId: before.revisionId,
            revisionNumber: before.revisionNumber,
            params: parseColumn(storedParamsSchema, before.params, "release parameters"),
            objects: parseColumn(previousStateSchema.unwrap().shape.objects, before.objects, "release objects"),
          }
        : null;
      await db().rolloutTarget.update({
        where: { id: targetId },
        data: { previous: previous ? (previous as Prisma.InputJsonValue) : Prisma.DbNull, startedAt: new Date() },
      });

      const outcomes = await executor.apply(cluster.id, desired.manifests, {
        dryRun: false,
        force: rollout.takeOwnership,
        actor,
        owner: { releaseId: rollout.releaseId, takeOwnership: rollout.takeOwnership, author: reader },
      });
      const problems = outcomes.filter((o) => ["conflict", "invalid", "forbidden", "error"].includes(o.action));
      if (problems.length) {
        await logStep(db(), rollout.id, targetId, "target.applied", { partial: true });
        return await finish("failed", {
          objects: summarize(outcomes, inputs.scrub) as object[],
          error: inputs.scrub(
            problems
              .map(
                (o) =>
                  `${o.ref.kind} ${o.ref.name}: ${o.error}${o.conflictManagers?.length ? ` (${o.conflictManagers.join(", ")})` : ""}`,
              )
              .join("; "),
          ),
        });
      }
      // Prune only what this release created here before and no longer wants; a failed read never deletes.
      const wanted = new Set(refs.map(refKey));
      const stale = (previous?.objects ?? []).filter((ref) => !wanted.has(refKey(ref)));
      const pruned = stale.length ? await executor.deleteOwned(cluster.id, stale, rollout.releaseId, actor) : [];
      await recordTargetStep(
        targetId,
        { objects: summarize([...outcomes, ...pruned], inputs.scrub) as object[], state: "gating" },
        rollout.id,
        "target.applied",
        { objects: outcomes.length, pruned: pruned.filter((p) => p.action === "deleted").length },
      );
    } else {
      await db().rolloutTarget.updateMany({
        where: { id: targetId, claimedBy: instanceId() },
        data: { state: "gating" },
      });
    }

    // The gate's timeout runs from when this worker entered it (a resume starts a full gate).
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const current = await db().rollout.findUnique({ where: { id: rollout.id }, select: { state: true } });
      if (current?.state === "paused" && (await letGo())) return;
      if (current?.state === "aborted")
        return await finish("failed", { error: "Rollout aborted while waiting for health" });
      let health: Awaited<ReturnType<ReleaseExecutor["health"]>> | null = null;
      let readError: string | null = null;
      try {
        health = await executor.health(cluster.id, refs);
      } catch (error) {
        // A cluster that does not answer counts as not ready until the deadline; the reason is kept.
        const classified = classifyClusterError(error);
        readError = classified.message;
        logger.warn(
          { event: "rollout.target.health_read_failed", rolloutId: rollout.id, targetId, code: classified.code },
          "a health read failed",
        );
      }
      const summary = health
        ? {
            ready: health.filter(isReady).length,
            total: health.length,
            failing: health.filter((h) => h.health === "failed").map((h) => `${h.ref.kind} ${h.ref.name}`),
          }
        : { ready: 0, total: refs.length, failing: [] };
      // Each pass is progress: claimedAt moves on, so the sweep's bound measures time without any.
      const held = await db().rolloutTarget.updateMany({
        where: { id: targetId, claimedBy: instanceId() },
        data: {
          gate: { ...summary, checkedAt: new Date().toISOString(), ...(readError ? { error: readError } : {}) },
          claimedAt: new Date(),
        },
      });
      if (held.count === 0) throw new LostClaimError(`target ${targetId} is no longer held by this instance`);
      if (health && summary.ready === summary.total) {
        const now = new Date();
        const applied = {
          revisionId: rollout.revisionId,
          revisionNumber: rollout.revision.number,
          params: params as object,
          objects: refs as unknown as object[],
          sourceDigests: inputs.sourceDigests,
          appliedAt: now,
          driftState: "in_sync" as const,
          driftCheckedAt: now,
        };
        await db().releaseCluster.upsert({
          where: { releaseId_clusterId: { releaseId: rollout.releaseId, clusterId: cluster.id } },
          create: { releaseId: rollout.releaseId, clusterId: cluster.id, ...applied },
          update: { ...applied, driftDetails: [] },
        });
        return await finish("succeeded", {});
      }
      if (summary.failing.length)
        return await finish("failed", { error: `Health gate failed: ${summary.failing.join(", ")} failed` });
      if (Date.now() > deadline) {
        const notReady = health?.filter((h) => !isReady(h)).map((h) => `${h.ref.kind} ${h.ref.name} (${h.health})`) ?? [
          `the cluster did not answer: ${readError ?? "no answer"}`,
        ];
        return await finish("failed", {
          error: `Health gate timed out after ${timeoutSeconds} s: ${notReady.join(", ")}`,
        });
      }
      await executor.waitForChange(
        cluster.id,
        health ?? [],
        Math.min(GATE_RECHECK_MS, Math.max(100, deadline - Date.now())),
      );
    }
  } catch (error) {
    if (error instanceof LostClaimError) {
      logger.warn({ event: "rollout.target.claim_lost", rolloutId: rollout.id, targetId }, error.message);
      return;
    }
    const attempts = await recordAttemptFailure(rollout.id, targetId, error);
    if (error instanceof CorruptColumnError || attempts >= MAX_TARGET_ATTEMPTS) {
      return await finish("failed", {
        error:
          error instanceof CorruptColumnError
            ? error.message
            : `Gave up after ${attempts} attempts: ${classifyClusterError(error).message}`,
      });
    }
    // Hand the target back so a retry (or the sweep) picks it up again; the step log says what is done.
    await db().rolloutTarget.updateMany({
      where: { id: targetId, claimedBy: instanceId() },
      data: { state: (await hasStep(targetId, "target.applied")) ? "gating" : "queued", claimedBy: null },
    });
    throw forQueue(error);
  }
}

/**
 * Puts a cluster back as the release had it before this rollout: the previous revision is
 * applied again and objects the failed revision added are deleted (only ours); with no
 * previous revision, everything this rollout created there is removed.
 */
export async function rollbackTarget(targetId: string, executor: ReleaseExecutor): Promise<void> {
  const claimed = await db().rolloutTarget.updateMany({
    where: { id: targetId, state: "rolling_back", claimedBy: null },
    data: { claimedBy: instanceId(), claimedAt: new Date() },
  });
  if (claimed.count === 0) return;
  const context = await loadContext(targetId);
  if (!context) return;
  const { target, rollout, cluster, actor, reader } = context;
  const endRollback = async (state: "rolled_back" | "failed", notes: string[], toRevision: number | null) => {
    await recordTargetStep(
      targetId,
      {
        state,
        claimedBy: null,
        error:
          [target.error, notes.length ? `rollback notes: ${notes.join("; ")}` : null].filter(Boolean).join(" · ") ||
          null,
      },
      rollout.id,
      state === "rolled_back" ? "target.rolled-back" : "target.rollback-failed",
      { toRevision },
    );
    await advance(rollout.id);
  };
  if (!cluster) return await endRollback("failed", ["the cluster was deleted; nothing could be rolled back"], null);
  // A target that failed before applying anything changed nothing: the release's record of this cluster stays.
  if (!(await hasStep(targetId, "target.applied")))
    return await endRollback("rolled_back", ["nothing was applied here, so nothing was rolled back"], null);
  try {
    const previous = parseColumn(previousStateSchema, target.previous, "previous state");
    const failedRefs = parseColumn(targetObjectsSchema, target.objects, "target objects")
      .filter((o) => o.action !== "deleted")
      .map(({ apiVersion, kind, namespace, name }): ObjectRef => ({ apiVersion, kind, namespace, name }));
    let notes: string[] = [];
    if (previous) {
      const revision = await db().templateRevision.findUniqueOrThrow({ where: { id: previous.revisionId } });
      let inputs: RenderInputs;
      try {
        inputs = await paramsForRender(rollout.releaseId, previous.params, { schema: revision.schema, reader });
      } catch (error) {
        if (isSecretInputError(error)) return await endRollback("failed", [error.message], null);
        throw error;
      }
      const desired = await desiredObjects(revisionSourceOf(revision), inputs.params, renderTargetOf(cluster), {
        id: rollout.release.id,
        name: rollout.release.name,
      });
      if (!desired.ok) return await endRollback("failed", ["the previous revision no longer renders"], null);
      const outcomes = await executor.apply(cluster.id, desired.manifests, {
        dryRun: false,
        force: true,
        actor,
        owner: { releaseId: rollout.releaseId, takeOwnership: rollout.takeOwnership, author: reader },
      });
      notes = outcomes.filter((o) => o.error).map((o) => inputs.scrub(`${o.ref.kind} ${o.ref.name}: ${o.error}`));
      const keep = new Set(desired.manifests.map((m) => refKey(refOf(m))));
      await executor.deleteOwned(
        cluster.id,
        failedRefs.filter((ref) => !keep.has(refKey(ref))),
        rollout.releaseId,
        actor,
      );
      // updateMany: the release may have no row here (the failed rollout never got that far).
      await db().releaseCluster.updateMany({
        where: { releaseId: rollout.releaseId, clusterId: cluster.id },
        data: {
          revisionId: previous.revisionId,
          revisionNumber: previous.revisionNumber,
          params: previous.params as object,
          objects: previous.objects as unknown as object[],
          sourceDigests: inputs.sourceDigests,
          appliedAt: new Date(),
        },
      });
    } else {
      const outcomes = await executor.deleteOwned(cluster.id, failedRefs, rollout.releaseId, actor);
      notes = outcomes.filter((o) => o.action === "error").map((o) => `${o.ref.kind} ${o.ref.name}: ${o.error}`);
      await db().releaseCluster.deleteMany({ where: { releaseId: rollout.releaseId, clusterId: cluster.id } });
    }
    await endRollback("rolled_back", notes, previous?.revisionNumber ?? null);
  } catch (error) {
    if (error instanceof LostClaimError) return;
    const attempts = await recordAttemptFailure(rollout.id, targetId, error);
    if (error instanceof CorruptColumnError || attempts >= MAX_TARGET_ATTEMPTS)
      return await endRollback("failed", [`gave up: ${classifyClusterError(error).message}`], null);
    await db().rolloutTarget.updateMany({
      where: { id: targetId, claimedBy: instanceId() },
      data: { claimedBy: null },
    });
    throw forQueue(error);
  }
}
