import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import { authorStanding } from "@/lib/server/access/stored-author";
import { db } from "@/lib/server/db/client";
import { instanceId } from "@/lib/server/jobs/queue";
import type { ObjectOutcome } from "@/lib/server/releases/executor";
import { classifyFailure, logFailure, type Failure } from "@/lib/server/releases/failure";
import { targetStatesInto, targetStatesStayingOrInto, TransitionError, type TargetStateValue } from "./state-machine";

/**
 * The bookkeeping every target step shares: the step log (one row per target and step), the
 * claim that says which instance works on a target, its moves along the state table, and the
 * attempts counted per phase (apply and rollback each get MAX_TARGET_ATTEMPTS).
 */

type Tx = Prisma.TransactionClient;

/**
 * Logs a step once: a second attempt is a no-op (ON CONFLICT DO NOTHING on the unique
 * (target, step) key) rather than an error, which would also abort a surrounding transaction.
 */
export async function logStep(
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
export class LostClaimError extends Error {
  override name = "LostClaimError";
}

/**
 * A target's new state and the step that explains it, together: nobody sees one without the
 * other. Written only while this instance still holds the target and it is in a state the
 * table lets move to `data.state`, so a worker that lost its claim (declared dead, or ended by
 * the sweep) can never overwrite the outcome someone else recorded.
 */
export async function recordTargetStep(
  targetId: string,
  data: Prisma.RolloutTargetUpdateManyMutationInput & { state: TargetStateValue },
  rolloutId: string,
  step: string,
  details: Record<string, unknown> = {},
  /** Written in the same transaction when the step is new (a notification about it). */
  alongside?: (tx: Tx) => Promise<void>,
): Promise<void> {
  await db().$transaction(
    async (tx) => {
      const { count } = await tx.rolloutTarget.updateMany({
        where: { id: targetId, claimedBy: instanceId(), state: { in: targetStatesInto(data.state) } },
        data,
      });
      if (count === 0) await refusedMove(tx, targetId, data.state);
      if ((await logStep(tx, rolloutId, targetId, step, details)) && alongside) await alongside(tx);
      // A wave of many targets ends at about the same moment, all wanting one of the pool's
      // connections: waiting longer than Prisma's 2 s default for one is not a bug of this target.
    },
    { maxWait: TRANSACTION_MAX_WAIT_MS },
  );
}

/** How long a step's transaction may wait for a pooled connection (the pool: db/client.ts). */
export const TRANSACTION_MAX_WAIT_MS = 30_000;

/**
 * Why a claimed target's write matched nothing: it is no longer this instance's (LostClaimError:
 * the sweep or another worker has it, stop quietly), or it is, but the table has no move from
 * its state to `to` (TransitionError: our bug, never a silent no-op).
 */
export async function refusedMove(
  tx: Tx | ReturnType<typeof db>,
  targetId: string,
  to: TargetStateValue,
): Promise<never> {
  const now = await tx.rolloutTarget.findUnique({ where: { id: targetId }, select: { state: true, claimedBy: true } });
  if (now && now.claimedBy === instanceId()) throw new TransitionError(`a ${now.state} target has no move to ${to}`);
  throw new LostClaimError(`target ${targetId} is no longer held by this instance`);
}

/**
 * A claimed target let go of in `state` (where it is, or moved there along the table), with
 * optional extra conditions: true when written; false when the extra conditions did not hold;
 * a lost claim or a move off the table throws as in recordTargetStep.
 */
export async function letGoOfTarget(
  targetId: string,
  state: TargetStateValue,
  extra: Prisma.RolloutTargetWhereInput = {},
): Promise<boolean> {
  const where = { id: targetId, claimedBy: instanceId(), state: { in: targetStatesStayingOrInto(state) } };
  const { count } = await db().rolloutTarget.updateMany({
    where: { ...where, ...extra },
    data: { state, claimedBy: null },
  });
  if (count === 1) return true;
  if (Object.keys(extra).length && (await db().rolloutTarget.count({ where })) === 1) return false;
  return refusedMove(db(), targetId, state);
}

export const hasStep = async (targetId: string, step: string) =>
  Boolean(await db().rolloutEvent.findUnique({ where: { targetId_step: { targetId, step } }, select: { id: true } }));

/**
 * What a failed step hands back to pg-boss, which stores a thrown error (message and stack) in
 * pgboss.job.output: a fixed sentence with the classified code, never the caught error itself,
 * which may quote a rendered secret value. The step log and the log line carry the same code.
 */
class TargetStepError extends Error {
  override name = "TargetStepError";
}
export const forQueue = (failure: Failure) =>
  new TargetStepError(`a rollout target step failed (${failure.code}); it will be retried`);

/** After this many failed attempts at one phase of a target (each logged as a step), it fails with the last reason. */
export const MAX_TARGET_ATTEMPTS = 5;

export type Phase = "apply" | "rollback";
/** Attempt steps per phase: a target that needed 4 tries to apply still gets all its rollback tries. */
const ATTEMPT_STEP: Record<Phase, string> = {
  apply: "target.attempt-failed.",
  rollback: "target.rollback-attempt-failed.",
};

/**
 * Records an error caught while working on a target, classified once (failure.ts): a step on
 * the target (visible on the rollout page) and a log line (a bug's with name and stack).
 * Returns the classification and how many attempts of this phase have failed so far.
 */
export async function recordAttemptFailure(
  rolloutId: string,
  targetId: string,
  phase: Phase,
  error: unknown,
): Promise<{ failure: Failure; attempts: number }> {
  const failure = classifyFailure(error);
  const attempts =
    (await db().rolloutEvent.count({ where: { targetId, step: { startsWith: ATTEMPT_STEP[phase] } } })) + 1;
  await logStep(db(), rolloutId, targetId, `${ATTEMPT_STEP[phase]}${attempts}`, {
    reason: failure.message.slice(0, 300),
    code: failure.code,
  });
  logFailure(failure, error, { rolloutId, targetId, phase, attempt: attempts }, "rollout.target.attempt_failed");
  return { failure, attempts };
}

/** Claims a target for this instance: a queued one (it starts applying) or one a pause left waiting before its gate. */
export async function claimTarget(targetId: string): Promise<boolean> {
  const now = new Date();
  // Only while the rollout runs: once paused, no target that has not started applying starts.
  // The state condition is re-checked by Postgres under the row lock, so an abort that skipped
  // this target first wins, and one that comes after sees it applying and leaves it alone.
  const queued = await db().rolloutTarget.updateMany({
    where: { id: targetId, state: { in: targetStatesInto("applying") }, rollout: { state: "running" } },
    data: { state: "applying", claimedBy: instanceId(), claimedAt: now },
  });
  if (queued.count === 1) return true;
  const waiting = await db().rolloutTarget.updateMany({
    where: { id: targetId, state: "gating", claimedBy: null, rollout: { state: "running" } },
    data: { claimedBy: instanceId(), claimedAt: now },
  });
  return waiting.count === 1;
}

/** Claims a target whose wave is being rolled back. */
export async function claimRollback(targetId: string): Promise<boolean> {
  const claimed = await db().rolloutTarget.updateMany({
    where: { id: targetId, state: "rolling_back", claimedBy: null },
    data: { claimedBy: instanceId(), claimedAt: new Date() },
  });
  return claimed.count === 1;
}

/** Lets go of a target after a failed attempt, so a retry (or the sweep) picks it up again in `state`. */
export async function handBack(targetId: string, state: TargetStateValue): Promise<void> {
  await letGoOfTarget(targetId, state);
}

/**
 * What a rollout fixed when it started and never changes (its revision, parameters, strategy,
 * health gate, author as recorded, release id and name), read once per process and rollout
 * instead of once per target: a rollout of N clusters ran the same joins N times. The columns
 * that move (state, current wave, message, end) are left out of the type, so no step can
 * read a stale one from here; a step that needs the state reads it (the gate loop does).
 * Concurrent targets share one read (the promise is cached); a failed or empty read is not kept.
 */
const loadRollout = (rolloutId: string) =>
  db().rollout.findUnique({
    where: { id: rolloutId },
    include: { revision: true, release: { select: { id: true, name: true } } },
    omit: { state: true, currentWave: true, message: true, finishedAt: true },
  });
type FixedRollout = NonNullable<Awaited<ReturnType<typeof loadRollout>>>;
/**
 * Rollouts kept (most recently used last): a worker runs only a few at a time, and each entry
 * holds its revision's body (up to 1 MB), so at most 16 MB.
 */
const FIXED_ROLLOUTS_KEPT = 16;
const fixedRollouts = new Map<string, Promise<FixedRollout | null>>();

export function fixedRollout(rolloutId: string): Promise<FixedRollout | null> {
  const cached = fixedRollouts.get(rolloutId);
  if (cached) {
    fixedRollouts.delete(rolloutId);
    fixedRollouts.set(rolloutId, cached);
    return cached;
  }
  const loading = loadRollout(rolloutId).then(
    (rollout) => {
      if (!rollout) fixedRollouts.delete(rolloutId);
      return rollout;
    },
    (error: unknown) => {
      fixedRollouts.delete(rolloutId);
      throw error;
    },
  );
  fixedRollouts.set(rolloutId, loading);
  while (fixedRollouts.size > FIXED_ROLLOUTS_KEPT) fixedRollouts.delete(fixedRollouts.keys().next().value!);
  return loading;
}

/** Everything a target step needs: the target, its rollout (fixed part, cached), the cluster, and who acts. */
export async function loadContext(targetId: string) {
  const target = await db().rolloutTarget.findUnique({ where: { id: targetId } });
  if (!target) return null;
  const [rollout, cluster] = await Promise.all([
    fixedRollout(target.rolloutId),
    // The cluster is read per target: an admin may change its labels or variables meanwhile.
    db().cluster.findUnique({
      where: { id: target.clusterId },
      select: { id: true, name: true, labels: true, variables: true },
    }),
  ]);
  if (!rollout) return null;
  // Cluster calls act as the user who started the rollout (impersonated where the cluster does that),
  // and only while they may still act (access/may-act.ts); secret references are read for their
  // CURRENT access.
  const author = await authorStanding(rollout.createdById);
  // Teams as recorded at start; a single sign-on author's provider groups as of their last sign-in.
  const actor = {
    email: rollout.createdByEmail,
    teams: rollout.createdByTeams,
    providerGroups: author.ok ? author.profile.providerGroups : [],
  };
  const writer = { releaseId: rollout.releaseId, clusterId: target.clusterId, holderId: target.rolloutId };
  return { target, rollout, cluster, actor, author, writer };
}

/** Per-object outcomes as kept on a target: references and what happened, errors scrubbed of secret values. */
export function summarize(outcomes: ObjectOutcome[], scrub: (text: string) => string = (text) => text) {
  return outcomes.map((o) => ({
    ...o.ref,
    action: o.action,
    ...(o.error ? { error: scrub(o.error) } : {}),
    ...(o.conflictManagers?.length ? { conflictManagers: o.conflictManagers } : {}),
    // Taken over (from another release by id, or outside managers): a rollback leaves it in place.
    ...(o.tookOver && o.owner ? { tookOver: true, owner: o.owner } : {}),
  }));
}
