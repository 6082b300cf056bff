import "server-only";
import type { Job } from "pg-boss";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import type { ReleaseExecutor } from "@/lib/server/releases/executor";
import { advance, rollbackTarget, runTarget } from "./engine";
import { letGoOfEndedRollouts } from "@/lib/server/releases/writers";
import { targetStatesInto, targetStatesStayingOrInto, type TargetStateValue } from "./state-machine";
import { storedHealthGateSchema } from "@/lib/server/releases/columns";
import { enqueue, instanceId, QUEUES, registerWorker, startQueue, stopQueue } from "@/lib/server/jobs/queue";

/** An instance that has not beaten for this long is considered dead and its work is taken over. */
const DEAD_AFTER_MS = 15_000;
const BEAT_MS = 3000;
/** Per instance: up to ARCHIPELAGO_ROLLOUT_CONCURRENCY clusters (by default 4 workers × 25) at once. */
const TARGET_WORKERS = 4;

export interface RolloutWorker {
  stop(): Promise<void>;
}

async function each<T>(jobs: Array<Job<T>>, work: (data: T) => Promise<void>): Promise<void> {
  // A batch runs in parallel (one rollout wave = many clusters at once). A failing job
  // throws so that pg-boss retries it; the step logic is idempotent.
  const results = await Promise.allSettled(jobs.map((job) => work(job.data)));
  const failure = results.find((r) => r.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
}

/**
 * Starts this instance's rollout workers: queue consumers, a heartbeat, and a sweep that
 * re-queues work claimed by instances that stopped beating (a killed server) and work
 * whose job was lost between a commit and its enqueue.
 */
export async function startRolloutWorker(databaseUrl: string, executor: ReleaseExecutor): Promise<RolloutWorker> {
  const { boss } = await startQueue(databaseUrl);
  const id = instanceId();
  await db().appInstance.upsert({ where: { id }, create: { id }, update: { heartbeatAt: new Date() } });

  registerWorker(
    QUEUES.advance,
    await boss.work<{ rolloutId: string }>(QUEUES.advance, { batchSize: 5, pollingIntervalSeconds: 0.5 }, (jobs) =>
      each(jobs, (data) => advance(data.rolloutId)),
    ),
  );
  // A target job lasts as long as its health gate, and a pg-boss worker fetches again only
  // when its whole batch is done; several workers keep one slow cluster (or one big wave)
  // from holding up the next wave or another rollout.
  const concurrency = env().ARCHIPELAGO_ROLLOUT_CONCURRENCY;
  const targetWorkers = Math.min(TARGET_WORKERS, concurrency);
  const targetBatch = Math.max(1, Math.floor(concurrency / targetWorkers));
  for (let i = 0; i < targetWorkers; i += 1) {
    registerWorker(
      QUEUES.target,
      await boss.work<{ targetId: string }>(
        QUEUES.target,
        { batchSize: targetBatch, pollingIntervalSeconds: 0.5 },
        (jobs) => each(jobs, (data) => runTarget(data.targetId, executor)),
      ),
    );
    registerWorker(
      QUEUES.rollback,
      await boss.work<{ targetId: string }>(
        QUEUES.rollback,
        { batchSize: targetBatch, pollingIntervalSeconds: 0.5 },
        (jobs) => each(jobs, (data) => rollbackTarget(data.targetId, executor)),
      ),
    );
  }

  let stopped = false;
  const beat = async () => {
    if (stopped) return;
    try {
      await db().appInstance.upsert({ where: { id }, create: { id }, update: { heartbeatAt: new Date() } });
      await sweep();
    } catch (error) {
      logger.warn({ errorName: error instanceof Error ? error.name : "unknown" }, "rollout heartbeat or sweep failed");
    }
  };
  const timer = setInterval(() => void beat(), BEAT_MS);
  timer.unref();
  void beat();

  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await stopQueue();
      await db()
        .appInstance.deleteMany({ where: { id } })
        .catch(() => undefined);
    },
  };
}

/** Finds work that nobody alive is doing and queues it again. */
export async function sweep(): Promise<void> {
  const deadline = new Date(Date.now() - DEAD_AFTER_MS);
  const alive = new Set(
    (await db().appInstance.findMany({ where: { heartbeatAt: { gte: deadline } }, select: { id: true } })).map(
      (i) => i.id,
    ),
  );
  const inFlight = await db().rolloutTarget.findMany({
    where: {
      state: { in: ["queued", "applying", "gating", "rolling_back"] },
      rollout: { state: { in: ["running", "paused", "rolling_back", "aborted"] } },
    },
    select: {
      id: true,
      state: true,
      claimedBy: true,
      claimedAt: true,
      rolloutId: true,
      rollout: { select: { state: true } },
    },
  });
  for (const target of inFlight) {
    const orphaned = target.claimedBy !== null && !alive.has(target.claimedBy);
    const waitingTooLong = target.claimedBy === null && (target.claimedAt === null || target.claimedAt < deadline);
    if (target.state === "rolling_back") {
      if (orphaned)
        await db().rolloutTarget.updateMany({
          where: { id: target.id, claimedBy: target.claimedBy },
          data: { claimedBy: null },
        });
      if (orphaned || waitingTooLong) await enqueue(QUEUES.rollback, { targetId: target.id });
      continue;
    }
    if (orphaned && target.rollout.state === "aborted") {
      // Nobody will resume an aborted rollout: end the dead instance's target with the reason.
      const ended = await db().rolloutTarget.updateMany({
        where: {
          id: target.id,
          claimedBy: target.claimedBy,
          state: { in: targetStatesInto("failed", [target.state]) },
        },
        data: {
          state: "failed",
          claimedBy: null,
          finishedAt: new Date(),
          error: "Rollout aborted; its worker stopped",
        },
      });
      if (ended.count === 1) {
        await logSweepStep(target.rolloutId, target.id, "target.ended-aborted");
        await advance(target.rolloutId);
      }
      continue;
    }
    if (orphaned) {
      // The step log tells the next worker what already happened, so nothing is applied twice;
      // an applied target goes back before its health gate, not to "not started".
      const applied = await db().rolloutEvent.findUnique({
        where: { targetId_step: { targetId: target.id, step: "target.applied" } },
        select: { id: true },
      });
      // Along the table only: an applying target goes back to either; a gating one stays gating.
      const to = applied ? "gating" : "queued";
      await db().rolloutTarget.updateMany({
        where: { id: target.id, claimedBy: target.claimedBy, state: { in: targetStatesStayingOrInto(to) } },
        data: { state: to, claimedBy: null, claimedAt: new Date(0) },
      });
      logger.info({ targetId: target.id, from: target.claimedBy }, "taking over a rollout target from a dead instance");
    }
    // A paused rollout's queued targets wait for the resume, which queues them itself.
    if (
      (orphaned && target.rollout.state !== "paused") ||
      (target.state === "queued" && waitingTooLong && target.rollout.state === "running")
    )
      await enqueue(QUEUES.target, { targetId: target.id });
  }
  await endStuckTargets();
  await letGoOfEndedRollouts();
  // Running rollouts whose advance job may have been lost.
  // Also scheduled rollouts approved before their start whose start has come (a lost timed job).
  const running = await db().rollout.findMany({
    where: {
      OR: [
        { state: { in: ["running", "rolling_back"] } },
        { state: "awaiting_approval", startAt: { lte: new Date() } },
      ],
    },
    select: { id: true },
  });
  for (const rollout of running) await enqueue(QUEUES.advance, { rolloutId: rollout.id });
  await db().appInstance.deleteMany({ where: { heartbeatAt: { lt: new Date(Date.now() - 10 * DEAD_AFTER_MS) } } });
}

/** Longest a target may stay claimed without finishing, beyond its health gate timeout (apply, pruning, slow reads). */
const CLAIM_GRACE_MS = 10 * 60_000;

/**
 * The bound on every non-terminal state whose owner is a live worker: a target claimed for
 * longer than its health gate timeout plus a grace period has stopped making progress (a hung
 * call, a lost worker that still beats): it fails with that reason and the rollout follows
 * its failure policy. Queued targets are bounded by their attempts (engine.ts), waiting
 * unclaimed targets by the pause (their owner is the user who paused).
 */
async function endStuckTargets(): Promise<void> {
  const claimed = await db().rolloutTarget.findMany({
    where: { state: { in: ["applying", "gating", "rolling_back"] }, claimedBy: { not: null } },
    select: { id: true, rolloutId: true, state: true, claimedAt: true, rollout: { select: { healthGate: true } } },
  });
  for (const target of claimed) {
    const gate = storedHealthGateSchema.safeParse(target.rollout.healthGate);
    const boundMs = (gate.success ? gate.data.timeoutSeconds * 1000 : 0) + CLAIM_GRACE_MS;
    if (!target.claimedAt || Date.now() - target.claimedAt.getTime() < boundMs) continue;
    const minutes = Math.round(boundMs / 60_000);
    const ended = await db().rolloutTarget.updateMany({
      where: {
        id: target.id,
        state: { in: targetStatesInto("failed", [target.state as TargetStateValue]) },
        claimedAt: target.claimedAt,
      },
      data: {
        state: "failed",
        claimedBy: null,
        finishedAt: new Date(),
        error: `No progress for ${minutes} minutes (${target.state.replace("_", " ")}); ended by the sweep`,
      },
    });
    if (ended.count === 1) {
      logger.warn(
        { event: "rollout.target.stuck_ended", targetId: target.id, state: target.state },
        "ended a stuck target",
      );
      await logSweepStep(target.rolloutId, target.id, "target.ended-stuck");
      await advance(target.rolloutId);
    }
  }
}

/** Endings decided by the sweep are steps too (once per target and kind). */
async function logSweepStep(rolloutId: string, targetId: string, step: string) {
  await db().rolloutEvent.createMany({
    data: [{ rolloutId, targetId, step, instance: instanceId(), details: {} }],
    skipDuplicates: true,
  });
}
