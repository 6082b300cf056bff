import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { NotificationEventType } from "@/lib/schemas/notifications";
import { db } from "@/lib/server/db/client";
import { stringRecord } from "@/lib/server/db/json";
import { loadChangeCalendar } from "@/lib/server/access/change-window-store";
import { waveGate } from "@/lib/server/access/change-windows";
import { enqueue, enqueueMany, QUEUES } from "@/lib/server/jobs/queue";
import { storedStrategySchema } from "@/lib/server/releases/columns";
import { letGoOfRollout } from "@/lib/server/releases/writers";
import {
  moveRollout,
  targetStatesInto,
  TERMINAL_ROLLOUT_STATES,
  TERMINAL_TARGET_STATES,
  type RolloutEvent,
  type RolloutStateValue,
  type TargetStateValue,
} from "./state-machine";
import { emitRolloutEvent } from "./notify";
import { logStep, TRANSACTION_MAX_WAIT_MS } from "./target-steps";

/**
 * The rollout's own state machine (its table: state-machine.ts): starts waves, counts how their
 * targets ended, bakes, fails or rolls back a wave, and finishes. Every move happens in a
 * transaction that locks the rollout row, so two workers (or two app instances) never decide
 * the same step twice. A rollout that has ended lets go of its clusters (releases/writers.ts)
 * in the same transaction, each once its target there has ended too.
 */

type Tx = Prisma.TransactionClient;

/** Moves the targets of a rollout that are in `from` to `to`, along the table only. */
async function moveTargets(
  tx: Tx,
  where: Prisma.RolloutTargetWhereInput,
  from: TargetStateValue[],
  data: Prisma.RolloutTargetUpdateManyMutationInput & { state: TargetStateValue },
) {
  await tx.rolloutTarget.updateMany({
    where: { ...where, state: { in: targetStatesInto(data.state, from) } },
    data,
  });
}

/** How many targets of one wave are in each state (states with none are absent). */
async function waveStates(tx: Tx, rolloutId: string, waveIndex: number): Promise<Map<TargetStateValue, number>> {
  const rows = await tx.rolloutTarget.groupBy({
    by: ["state"],
    where: { rolloutId, waveIndex },
    _count: { _all: true },
  });
  return new Map(rows.map((row) => [row.state as TargetStateValue, row._count._all]));
}

/** May this wave start now (access/change-windows.ts decides over all its clusters' labels)? */
async function gateOfWave(
  tx: Tx,
  rolloutId: string,
  waveIndex: number,
  now: Date,
  options: { freezeOverridden: boolean; notBefore: Date | null },
) {
  const calendar = await loadChangeCalendar();
  if (calendar.windows.length === 0 && calendar.freezes.length === 0 && !options.notBefore)
    return { open: true as const };
  const ids = await tx.rolloutTarget.findMany({ where: { rolloutId, waveIndex }, select: { clusterId: true } });
  const clusters = await tx.cluster.findMany({
    where: { id: { in: ids.map((t) => t.clusterId) } },
    select: { name: true, labels: true },
  });
  return waveGate(
    calendar.windows,
    calendar.freezes,
    clusters.map((c) => ({ name: c.name, labels: stringRecord(c.labels) })),
    now,
    options,
  );
}

/** The notification each ending step sends (lib/schemas/notifications.ts). */
const ENDING_EVENTS: Record<string, NotificationEventType> = {
  "rollout.succeeded": "rollout.succeeded",
  "rollout.rolled-back": "rollout.rolled-back",
  "rollout.rollback-failed": "rollout.failed",
  "rollout.failed": "rollout.failed",
  "rollout.corrupt": "rollout.failed",
};

/** Moves a rollout forward as far as it can go now. Safe to call any number of times. */
export async function advance(rolloutId: string): Promise<void> {
  const jobs: Array<() => Promise<void>> = [];
  await db().$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM rollouts WHERE id = ${rolloutId}::uuid FOR UPDATE`;
      // The waves, not the targets: a rollout of N targets calls this N times, and each call
      // counts its wave's targets by state (one grouped row per state) instead of reading all N
      // (N² rows over a rollout). Target rows are read only where a decision names them.
      const rollout = await tx.rollout.findUnique({
        where: { id: rolloutId },
        include: { waves: { orderBy: { index: "asc" } } },
      });
      if (!rollout) return;
      if (TERMINAL_ROLLOUT_STATES.includes(rollout.state)) {
        // Ended (an abort, or a late worker finishing its last step): let go of what is done.
        await letGoOfRollout(tx, rolloutId);
        return;
      }
      // Paused waits for a resume; awaiting approval for its approvals (approval.ts moves it to running).
      // A scheduled rollout approved before its start: at the start its preview is taken again
      // (approval.ts; imported when needed, as it calls advance: a static import would be a cycle).
      if (rollout.state === "awaiting_approval" && rollout.startAt && rollout.startAt <= new Date())
        jobs.push(async () => (await import("./approval")).startWhenScheduled(rolloutId));
      if (rollout.state === "paused" || rollout.state === "awaiting_approval") return;
      const now = new Date();
      const moveTo = (event: RolloutEvent) => moveRollout(rollout.state as RolloutStateValue, event);
      const end = async (data: Prisma.RolloutUpdateInput, step: string, details: Record<string, unknown> = {}) => {
        await tx.rollout.update({ where: { id: rolloutId }, data: { ...data, finishedAt: now } });
        // Once per ending: the step is logged once (its key), and so is the event.
        if (await logStep(tx, rolloutId, null, step, details))
          await emitRolloutEvent(tx, rolloutId, ENDING_EVENTS[step] ?? "rollout.failed");
        await letGoOfRollout(tx, rolloutId);
      };

      if (rollout.state === "rolling_back") {
        // The failed wave's targets were all put to rolling_back; however each one ended (rolled
        // back, its rollback failed, the sweep ended it as stuck), it is counted by its state now.
        const states = await waveStates(tx, rolloutId, rollout.currentWave);
        if (states.has("rolling_back")) return;
        const notRolledBack = await tx.rolloutTarget.findMany({
          where: { rolloutId, waveIndex: rollout.currentWave, state: { notIn: ["rolled_back", "skipped"] } },
          select: { id: true, clusterName: true, error: true },
        });
        if (notRolledBack.length)
          await end(
            {
              state: moveTo("rollback-failed"),
              message:
                `${notRolledBack.length} cluster(s) could not be rolled back: ` +
                notRolledBack.map((t) => `${t.clusterName}: ${t.error ?? "no reason recorded"}`).join("; "),
            },
            "rollout.rollback-failed",
            { targets: notRolledBack.map((t) => t.id) },
          );
        else await end({ state: moveTo("rollback-done") }, "rollout.rolled-back");
        return;
      }
      const strategy = storedStrategySchema.safeParse(rollout.strategy);
      if (!strategy.success) {
        await moveTargets(tx, { rolloutId }, ["pending", "queued"], { state: "skipped" });
        await end(
          { state: moveTo("corrupt"), message: "The stored strategy is not valid; stopped" },
          "rollout.corrupt",
          { column: "strategy" },
        );
        return;
      }

      for (let guard = 0; guard < 1000; guard += 1) {
        const wave = rollout.waves[rollout.currentWave];
        if (!wave) {
          await end({ state: moveTo("waves-done") }, "rollout.succeeded");
          return;
        }
        const targetsOf = (where: Prisma.RolloutTargetWhereInput = {}) =>
          tx.rolloutTarget.findMany({ where: { rolloutId, waveIndex: wave.index, ...where }, select: { id: true } });
        if (wave.state === "pending") {
          const targets = await targetsOf();
          // Outside its clusters' change window, or in a freeze: the wave waits, visibly, and a
          // job re-checks at the opening (any earlier advance re-checks too).
          const gate = await gateOfWave(tx, rolloutId, wave.index, now, {
            freezeOverridden: rollout.freezeOverrideReason !== null,
            notBefore: wave.index === 0 ? rollout.startAt : null,
          });
          if (!gate.open) {
            const opensAt = gate.opensAt;
            const changed = wave.windowWait !== gate.message || wave.windowOpensAt?.getTime() !== opensAt?.getTime();
            if (changed) {
              await tx.rolloutWave.update({
                where: { rolloutId_index: { rolloutId, index: wave.index } },
                data: { windowWait: gate.message, windowOpensAt: opensAt },
              });
              await tx.rollout.update({ where: { id: rolloutId }, data: { message: gate.message } });
              await logStep(tx, rolloutId, null, `wave.${wave.index}.waiting-window.${opensAt?.getTime() ?? "none"}`, {
                kind: gate.kind,
                clusters: gate.clusters,
                opensAt: opensAt?.toISOString() ?? null,
              });
              if (opensAt) jobs.push(() => enqueue(QUEUES.advance, { rolloutId }, opensAt));
            }
            return;
          }
          if (wave.windowWait !== null) await tx.rollout.update({ where: { id: rolloutId }, data: { message: null } });
          await tx.rolloutWave.update({
            where: { rolloutId_index: { rolloutId, index: wave.index } },
            data: { state: "running", startedAt: now, windowWait: null, windowOpensAt: null },
          });
          await moveTargets(tx, { rolloutId, waveIndex: wave.index }, ["pending"], { state: "queued" });
          await logStep(tx, rolloutId, null, `wave.${wave.index}.started`);
          jobs.push(() =>
            enqueueMany(
              QUEUES.target,
              targets.map((target) => ({ targetId: target.id })),
            ),
          );
          return;
        }
        const states = await waveStates(tx, rolloutId, wave.index);
        if ([...states.keys()].some((state) => !TERMINAL_TARGET_STATES.has(state))) {
          // After a resume (or a lost job): targets waiting unclaimed go back to the workers.
          const waiting = await targetsOf({ claimedBy: null, state: { in: ["queued", "gating"] } });
          if (waiting.length)
            jobs.push(() =>
              enqueueMany(
                QUEUES.target,
                waiting.map((target) => ({ targetId: target.id })),
              ),
            );
          return;
        }

        const failed = await tx.rolloutTarget.count({ where: { rolloutId, state: "failed" } });
        if (failed > rollout.tolerateFailures) {
          await tx.rolloutWave.update({
            where: { rolloutId_index: { rolloutId, index: wave.index } },
            data: { state: "failed", finishedAt: now },
          });
          await moveTargets(tx, { rolloutId }, ["pending"], { state: "skipped" });
          const toRollBack = rollout.autoRollback ? await targetsOf({ state: { in: ["failed", "succeeded"] } }) : [];
          await logStep(tx, rolloutId, null, `wave.${wave.index}.failed`, { failed });
          if (toRollBack.length) {
            await moveTargets(tx, { id: { in: toRollBack.map((t) => t.id) } }, ["failed", "succeeded"], {
              state: "rolling_back",
              claimedBy: null,
            });
            await tx.rollout.update({
              where: { id: rolloutId },
              data: {
                state: moveTo("wave-failed-roll-back"),
                message: `${failed} cluster(s) failed in wave ${wave.index + 1}; rolling back that wave`,
              },
            });
            jobs.push(() =>
              enqueueMany(
                QUEUES.rollback,
                toRollBack.map((target) => ({ targetId: target.id })),
              ),
            );
          } else
            await end(
              {
                state: moveTo("wave-failed"),
                message: rollout.autoRollback
                  ? `${failed} cluster(s) failed in wave ${wave.index + 1}; nothing to roll back; stopped`
                  : `${failed} cluster(s) failed in wave ${wave.index + 1}; stopped`,
              },
              "rollout.failed",
            );
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
        if (await logStep(tx, rolloutId, null, `wave.${wave.index}.succeeded`))
          await emitRolloutEvent(tx, rolloutId, "rollout.wave-done", { waveIndex: wave.index });
        rollout.currentWave += 1;
        await tx.rollout.update({ where: { id: rolloutId }, data: { currentWave: rollout.currentWave } });
      }
    },
    { timeout: 30_000, maxWait: TRANSACTION_MAX_WAIT_MS },
  );
  for (const job of jobs) await job();
}

/**
 * After one target of a rollout ended: the rollout moves on only once its wave has ended, so
 * while another target of that wave is still in flight in a running rollout there is nothing to
 * decide, and the locking transaction above (six round trips) is skipped. Safe without the lock:
 * every ended target commits its outcome before asking, so the one whose commit came last sees
 * all the others ended and advances. A rollout that is not running (paused, aborted: writers to
 * let go of) always goes through advance. Lost jobs are the sweep's (worker.ts).
 */
export async function advanceAfterTarget(rolloutId: string, waveIndex: number, targetId: string): Promise<void> {
  const [row] = await db().$queryRaw<Array<{ busy: boolean }>>`
    SELECT EXISTS (
      SELECT 1 FROM rollout_targets t JOIN rollouts r ON r.id = t.rollout_id
      WHERE t.rollout_id = ${rolloutId}::uuid AND t.wave_index = ${waveIndex} AND t.id <> ${targetId}::uuid
        AND r.state = 'running' AND t.state::text NOT IN (${Prisma.join([...TERMINAL_TARGET_STATES])})
    ) AS busy`;
  if (row?.busy) return;
  await advance(rolloutId);
}
