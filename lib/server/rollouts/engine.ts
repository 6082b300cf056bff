import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Strategy } from "@/lib/schemas/templates";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import {
  desiredObjects,
  refKey,
  refOf,
  renderTargetOf,
  revisionSourceOf,
  type ObjectRef,
} from "@/lib/server/releases/desired";
import { isReady, type ObjectOutcome } from "@/lib/server/releases/executor";
import { executor } from "@/lib/server/releases/hub-push";
import { enqueue, enqueueMany, instanceId, QUEUES } from "./queue";

/**
 * The rollout state machine. Every transition happens in a transaction that locks the
 * rollout row, so two workers (or two app instances) never decide the same step twice;
 * per-target steps are claimed with conditional updates and logged with a unique
 * (target, step) key, so a step finished before a crash is never repeated after it.
 */

const TERMINAL = new Set(["succeeded", "failed", "rolled_back", "skipped"]);
/** Longest wait between two health reads; a watch event on a workload ends it sooner. */
const GATE_RECHECK_MS = 2000;

type Tx = Prisma.TransactionClient;

interface PreviousState {
  revisionId: string;
  revisionNumber: number;
  params: Record<string, unknown>;
  objects: ObjectRef[];
}

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

/** A target's new state and the step that explains it, together: nobody sees one without the other. */
async function recordTargetStep(
  targetId: string,
  data: Prisma.RolloutTargetUpdateInput,
  rolloutId: string,
  step: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await db().$transaction(async (tx) => {
    await tx.rolloutTarget.update({ where: { id: targetId }, data });
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
      if (!rollout || ["succeeded", "failed", "aborted", "rolled_back", "paused"].includes(rollout.state)) return;
      const now = new Date();

      if (rollout.state === "rolling_back") {
        if (rollout.targets.some((t) => t.state === "rolling_back")) return;
        await tx.rollout.update({ where: { id: rolloutId }, data: { state: "rolled_back", finishedAt: now } });
        await logStep(tx, rolloutId, null, "rollout.rolled-back");
        return;
      }

      for (let guard = 0; guard < 1000; guard += 1) {
        const wave = rollout.waves[rollout.currentWave];
        if (!wave) {
          await tx.rollout.update({ where: { id: rolloutId }, data: { state: "succeeded", finishedAt: now } });
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
        if (targets.some((t) => !TERMINAL.has(t.state))) return;

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
                state: toRollBack.length ? "rolling_back" : "failed",
                finishedAt: toRollBack.length ? null : now,
                message: `${failed} cluster(s) failed in wave ${wave.index + 1}; rolling back that wave`,
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
                state: "failed",
                finishedAt: now,
                message: `${failed} cluster(s) failed in wave ${wave.index + 1}; stopped`,
              },
            });
          }
          await logStep(tx, rolloutId, null, `wave.${wave.index}.failed`, { failed });
          return;
        }

        const strategy = rollout.strategy as Strategy;
        const bakeSeconds = strategy.kind === "waves" ? strategy.bakeSeconds : 0;
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
  const actor = { email: target.rollout.createdByEmail, teams: target.rollout.createdByTeams };
  return { target, rollout: target.rollout, cluster, actor };
}

function summarize(outcomes: ObjectOutcome[]) {
  return outcomes.map((o) => ({
    ...o.ref,
    action: o.action,
    ...(o.error ? { error: o.error } : {}),
    ...(o.conflictManagers?.length ? { conflictManagers: o.conflictManagers } : {}),
  }));
}

/** Applies the rollout's revision to one cluster, waits for its health gate, and records the outcome. */
export async function runTarget(targetId: string): Promise<void> {
  const claimed = await db().rolloutTarget.updateMany({
    where: { id: targetId, state: "queued" },
    data: { state: "applying", claimedBy: instanceId(), claimedAt: new Date() },
  });
  if (claimed.count === 0) return; // done, or someone else is on it
  const context = await loadContext(targetId);
  if (!context?.cluster) return;
  const { target, rollout, cluster, actor } = context;
  const finish = async (state: "succeeded" | "failed", data: Prisma.RolloutTargetUpdateInput) => {
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

  try {
    if (rollout.state === "aborted") return await finish("failed", { error: "Rollout aborted" });
    const desired = await desiredObjects(
      revisionSourceOf(rollout.revision),
      rollout.params as Record<string, unknown>,
      renderTargetOf(cluster),
      { id: rollout.release.id, name: rollout.release.name },
    );
    if (!desired.ok) return await finish("failed", { error: desired.issues.map((i) => i.message).join("; ") });
    const refs = desired.manifests.map(refOf);

    if (!(await hasStep(targetId, "target.applied"))) {
      // What the release had here before, kept for rollback.
      const before = await db().releaseCluster.findUnique({
        where: { releaseId_clusterId: { releaseId: rollout.releaseId, clusterId: cluster.id } },
      });
      const previous: PreviousState | null = before
        ? {
            revisionId: before.revisionId,
            revisionNumber: before.revisionNumber,
            params: before.params as Record<string, unknown>,
            objects: before.objects as unknown as ObjectRef[],
          }
        : null;
      await db().rolloutTarget.update({
        where: { id: targetId },
        data: {
          previous: previous ? (previous as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
          startedAt: new Date(),
        },
      });

      const outcomes = await executor.apply(cluster.id, desired.manifests, {
        dryRun: false,
        force: rollout.takeOwnership,
        actor,
      });
      const problems = outcomes.filter((o) => ["conflict", "invalid", "forbidden", "error"].includes(o.action));
      if (problems.length) {
        await logStep(db(), rollout.id, targetId, "target.applied", { partial: true });
        return await finish("failed", {
          objects: summarize(outcomes) as object[],
          error: problems
            .map(
              (o) =>
                `${o.ref.kind} ${o.ref.name}: ${o.error}${o.conflictManagers?.length ? ` (${o.conflictManagers.join(", ")})` : ""}`,
            )
            .join("; "),
        });
      }
      // Prune only what this release created here before and no longer wants; a failed read never deletes.
      const wanted = new Set(refs.map(refKey));
      const stale = (previous?.objects ?? []).filter((ref) => !wanted.has(refKey(ref)));
      const pruned = stale.length ? await executor.deleteOwned(cluster.id, stale, rollout.releaseId, actor) : [];
      await recordTargetStep(
        targetId,
        { objects: summarize([...outcomes, ...pruned]) as object[], state: "gating" },
        rollout.id,
        "target.applied",
        { objects: outcomes.length, pruned: pruned.filter((p) => p.action === "deleted").length },
      );
    } else {
      await db().rolloutTarget.update({ where: { id: targetId }, data: { state: "gating" } });
    }

    const timeoutSeconds = (rollout.healthGate as { timeoutSeconds?: number }).timeoutSeconds ?? 120;
    const deadline = (target.startedAt ?? new Date()).getTime() + timeoutSeconds * 1000;
    for (;;) {
      const health = await executor.health(cluster.id, refs).catch(() => null);
      const summary = health
        ? {
            ready: health.filter(isReady).length,
            total: health.length,
            failing: health.filter((h) => h.health === "failed").map((h) => `${h.ref.kind} ${h.ref.name}`),
          }
        : { ready: 0, total: refs.length, failing: [] };
      await db().rolloutTarget.update({
        where: { id: targetId },
        data: { gate: { ...summary, checkedAt: new Date().toISOString() } },
      });
      if (health && summary.ready === summary.total) {
        const now = new Date();
        const applied = {
          revisionId: rollout.revisionId,
          revisionNumber: rollout.revision.number,
          params: rollout.params as object,
          objects: refs as unknown as object[],
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
      const current = await db().rollout.findUnique({ where: { id: rollout.id }, select: { state: true } });
      if (current?.state === "aborted")
        return await finish("failed", { error: "Rollout aborted while waiting for health" });
      if (Date.now() > deadline) {
        const notReady = health?.filter((h) => !isReady(h)).map((h) => `${h.ref.kind} ${h.ref.name} (${h.health})`) ?? [
          "cluster did not answer",
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
    logger.warn(
      { targetId, errorName: error instanceof Error ? error.name : "unknown" },
      "rollout target step failed; it will be retried",
    );
    // Hand the target back so the sweep (or a retry) picks it up again.
    await db().rolloutTarget.updateMany({
      where: { id: targetId, claimedBy: instanceId() },
      data: { state: "queued", claimedBy: null },
    });
    throw error;
  }
}

/**
 * Puts a cluster back as the release had it before this rollout: the previous revision is
 * applied again and objects the failed revision added are deleted (only ours); with no
 * previous revision, everything this rollout created there is removed.
 */
export async function rollbackTarget(targetId: string): Promise<void> {
  const claimed = await db().rolloutTarget.updateMany({
    where: { id: targetId, state: "rolling_back", claimedBy: null },
    data: { claimedBy: instanceId(), claimedAt: new Date() },
  });
  if (claimed.count === 0) return;
  const context = await loadContext(targetId);
  if (!context?.cluster) return;
  const { target, rollout, cluster, actor } = context;
  const previous = target.previous as PreviousState | null;
  try {
    const failedRefs = ((target.objects ?? []) as unknown as Array<ObjectRef & { action: string }>)
      .filter((o) => o.action !== "deleted")
      .map(({ apiVersion, kind, namespace, name }) => ({ apiVersion, kind, namespace, name }));
    let notes: string[] = [];
    if (previous) {
      const revision = await db().templateRevision.findUniqueOrThrow({ where: { id: previous.revisionId } });
      const desired = await desiredObjects(revisionSourceOf(revision), previous.params, renderTargetOf(cluster), {
        id: rollout.release.id,
        name: rollout.release.name,
      });
      if (!desired.ok) throw new Error("the previous revision no longer renders");
      const outcomes = await executor.apply(cluster.id, desired.manifests, { dryRun: false, force: true, actor });
      notes = outcomes.filter((o) => o.error).map((o) => `${o.ref.kind} ${o.ref.name}: ${o.error}`);
      const keep = new Set(desired.manifests.map((m) => refKey(refOf(m))));
      await executor.deleteOwned(
        cluster.id,
        failedRefs.filter((ref) => !keep.has(refKey(ref))),
        rollout.releaseId,
        actor,
      );
      await db()
        .releaseCluster.update({
          where: { releaseId_clusterId: { releaseId: rollout.releaseId, clusterId: cluster.id } },
          data: {
            revisionId: previous.revisionId,
            revisionNumber: previous.revisionNumber,
            params: previous.params as object,
            objects: previous.objects as unknown as object[],
            appliedAt: new Date(),
          },
        })
        .catch(() => undefined);
    } else {
      const outcomes = await executor.deleteOwned(cluster.id, failedRefs, rollout.releaseId, actor);
      notes = outcomes.filter((o) => o.action === "error").map((o) => `${o.ref.kind} ${o.ref.name}: ${o.error}`);
      await db().releaseCluster.deleteMany({ where: { releaseId: rollout.releaseId, clusterId: cluster.id } });
    }
    await recordTargetStep(
      targetId,
      {
        state: "rolled_back",
        claimedBy: null,
        error:
          [target.error, notes.length ? `rollback notes: ${notes.join("; ")}` : null].filter(Boolean).join(" · ") ||
          null,
      },
      rollout.id,
      "target.rolled-back",
      { toRevision: previous?.revisionNumber ?? null },
    );
    await advance(rollout.id);
  } catch (error) {
    await db().rolloutTarget.updateMany({
      where: { id: targetId, claimedBy: instanceId() },
      data: { claimedBy: null },
    });
    throw error;
  }
}
