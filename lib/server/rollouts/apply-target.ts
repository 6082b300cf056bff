import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { targetScopeSchema } from "@/lib/server/access/coverage";
import { db } from "@/lib/server/db/client";
import { instanceId } from "@/lib/server/jobs/queue";
import { logger } from "@/lib/server/log/logger";
import {
  parseColumn,
  previousStateSchema,
  storedHealthGateSchema,
  storedParamsSchema,
  type PreviousState,
} from "@/lib/server/releases/columns";
import { isReady, type ReleaseExecutor } from "@/lib/server/releases/executor";
import { classifyFailure, INTERNAL_ERROR } from "@/lib/server/releases/failure";
import {
  applyRelease,
  isProblem,
  pruneRelease,
  recordRelease,
  renderRelease,
} from "@/lib/server/releases/release-write";
import { refKey } from "@/lib/server/templates/desired";
import { advanceAfterTarget } from "./advance";
import { checkGuardrails, describeFinding, loadGuardrails } from "@/lib/server/guardrails/rules";
import { stringRecord } from "@/lib/server/db/json";
import { targetStatesStayingOrInto } from "./state-machine";
import {
  claimTarget,
  forQueue,
  handBack,
  hasStep,
  letGoOfTarget,
  logStep,
  loadContext,
  LostClaimError,
  MAX_TARGET_ATTEMPTS,
  recordAttemptFailure,
  recordTargetStep,
  refusedMove,
  summarize,
} from "./target-steps";
import { emitRolloutEvent } from "./notify";

/**
 * One target of a rollout: apply the revision to its cluster (as the holder of the release
 * there), prune what the release no longer wants, wait for the health gate, and only then
 * write the release's record of that cluster. A step already on record (target.applied) is
 * never done again after a crash or a pause.
 */

/** Longest wait between two health reads; a watch event on a workload ends it sooner. */
const GATE_RECHECK_MS = 2000;

/** Applies the rollout's revision to one cluster, waits for its health gate, and records the outcome. */
export async function runTarget(targetId: string, executor: ReleaseExecutor): Promise<void> {
  if (!(await claimTarget(targetId))) return; // done, someone else is on it, or the rollout is not running
  const context = await loadContext(targetId);
  if (!context) return;
  const { target, rollout, cluster, actor, author, writer } = context;
  const finish = async (
    state: "succeeded" | "failed",
    data: Prisma.RolloutTargetUpdateManyMutationInput,
    cause: "gate" | null = null,
  ) => {
    // Before the advance: the rollout may only finish once this step is on record.
    await recordTargetStep(
      targetId,
      { ...data, state, finishedAt: new Date(), claimedBy: null },
      rollout.id,
      state === "succeeded" ? "target.succeeded" : "target.failed",
      { error: data.error ?? null },
      cause === "gate"
        ? (tx) => emitRolloutEvent(tx, rollout.id, "rollout.health-gate-failed", { targetIds: [targetId] })
        : undefined,
    );
    await advanceAfterTarget(rollout.id, target.waveIndex, targetId);
  };
  /**
   * The pause caught this target: it lets go and waits, unclaimed, before its health gate.
   * Only while the rollout is still paused (an abort or resume in between would strand it).
   */
  const letGo = async (): Promise<boolean> => {
    const released = await letGoOfTarget(targetId, "gating", { rollout: { state: "paused" } });
    if (released) await logStep(db(), rollout.id, targetId, `target.paused.${Date.now()}`);
    return released;
  };
  // A cluster deleted while the rollout targets it (deletion is refused then, but a row can still go).
  if (!cluster) return await finish("failed", { error: "The cluster was deleted while the rollout targeted it" });

  try {
    // Background work acts only while its author may still act (the same rule as their sessions).
    if (!author.ok)
      return await finish("failed", { error: `Not applied: ${author.reason}, so this rollout no longer acts` });
    const params = parseColumn(storedParamsSchema, rollout.params, "parameters");
    const { timeoutSeconds } = parseColumn(storedHealthGateSchema, rollout.healthGate, "health gate");
    // Secret values are opened (and referenced Secrets read, as the author) here, rendered,
    // applied, and dropped with this scope. Without them nothing is applied and nothing removed.
    const rendered = await renderRelease({
      release: rollout.release,
      revision: rollout.revision,
      params,
      cluster,
      reader: author.profile,
    });
    if (!rendered.ok) return await finish("failed", { error: rendered.reason });
    const { inputs, manifests, refs } = rendered;
    // Write only where the start checked (its recorded scope): a render that now lands elsewhere
    // (an admin changed a cluster's labels or variables since) fails instead of widening the rollout.
    const scope = targetScopeSchema.safeParse(target.scope);
    if (scope.success && scope.data.length) {
      const checked = new Set(scope.data.map((place) => place.namespace));
      const outside = manifests.filter((m) => !checked.has(m.metadata.namespace ?? null));
      if (outside.length)
        return await finish("failed", {
          error:
            `The template now renders into ${[...new Set(outside.map((m) => m.metadata.namespace ?? "cluster-scoped objects"))].join(", ")}, ` +
            "outside what was checked when this rollout started; start a new rollout",
        });
    }

    // Before each apply (so before each wave): the fleet's guardrails as they stand now.
    const denied = checkGuardrails(
      await loadGuardrails(),
      { name: cluster.name, labels: stringRecord(cluster.labels) },
      manifests,
      { userEmail: actor.email, groups: actor.teams },
    ).filter((finding) => finding.action === "deny");
    if (denied.length && !(await hasStep(targetId, "target.applied")))
      return await finish("failed", { error: inputs.scrub(denied.map(describeFinding).join("; ")) });

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

      const outcomes = await applyRelease(executor, writer, manifests, "rollout", {
        force: rollout.takeOwnership,
        actor,
        author: author.profile,
        takeOwnership: rollout.takeOwnership,
      });
      const problems = outcomes.filter(isProblem);
      if (problems.length) {
        await logStep(db(), rollout.id, targetId, "target.applied", { partial: true });
        return await finish("failed", {
          objects: summarize(outcomes, inputs.scrub),
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
      const pruned = await pruneRelease(executor, writer, stale, actor);
      await recordTargetStep(
        targetId,
        { objects: summarize([...outcomes, ...pruned], inputs.scrub), state: "gating" },
        rollout.id,
        "target.applied",
        { objects: outcomes.length, pruned: pruned.filter((p) => p.action === "deleted").length },
      );
    } else {
      // Applied before (a resumed or retried target): into its gate again, along the table.
      const { count } = await db().rolloutTarget.updateMany({
        where: { id: targetId, claimedBy: instanceId(), state: { in: targetStatesStayingOrInto("gating") } },
        data: { state: "gating" },
      });
      if (count === 0) await refusedMove(db(), targetId, "gating");
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
        // Our own bug is not a cluster that does not answer: it goes to the attempt handler below.
        const failure = classifyFailure(error);
        if (failure.cause !== "cluster") throw error;
        readError = failure.message;
        logger.warn(
          { event: "rollout.target.health_read_failed", rolloutId: rollout.id, targetId, code: failure.code },
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
        await recordRelease(
          writer,
          {
            revisionId: rollout.revisionId,
            revisionNumber: rollout.revision.number,
            params,
            objects: refs,
            sourceDigests: inputs.sourceDigests,
          },
          { create: true },
        );
        return await finish("succeeded", {});
      }
      if (summary.failing.length)
        return await finish("failed", { error: `Health gate failed: ${summary.failing.join(", ")} failed` }, "gate");
      if (Date.now() > deadline) {
        const notReady = health?.filter((h) => !isReady(h)).map((h) => `${h.ref.kind} ${h.ref.name} (${h.health})`) ?? [
          `the cluster did not answer: ${readError ?? "no answer"}`,
        ];
        return await finish(
          "failed",
          { error: `Health gate timed out after ${timeoutSeconds} s: ${notReady.join(", ")}` },
          "gate",
        );
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
    const { failure, attempts } = await recordAttemptFailure(rollout.id, targetId, "apply", error);
    // A corrupt column or our own bug will not get better by trying again: it ends the target now.
    if (failure.cause !== "cluster" || attempts >= MAX_TARGET_ATTEMPTS) {
      return await finish("failed", {
        error:
          failure.cause === "corrupt"
            ? failure.message
            : failure.cause === "internal"
              ? `${INTERNAL_ERROR} (${failure.errorName}); the operators' log has the details`
              : `Gave up after ${attempts} attempts: ${failure.message}`,
      });
    }
    // Hand the target back so a retry (or the sweep) picks it up again; the step log says what is done.
    await handBack(targetId, (await hasStep(targetId, "target.applied")) ? "gating" : "queued");
    throw forQueue(failure);
  }
}
