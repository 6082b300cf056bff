import "server-only";
import type { AccessProfile } from "@/lib/server/access/policy";
import { requireOnRollout } from "@/lib/server/access/coverage";
import { conflict } from "@/lib/server/errors/app-error";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/server/db/client";
import { advance } from "./engine";
import { emitRolloutEvent } from "./notify";
import { letGoOfRollout } from "@/lib/server/releases/writers";
import { destinationOf, statesAllowing, targetStatesInto } from "./state-machine";

export const ROLLOUT_ACTIONS = ["pause", "resume", "abort"] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

async function stateOf(id: string) {
  return (await db().rollout.findUniqueOrThrow({ where: { id }, select: { state: true } })).state;
}

/** Moves the rollout along one edge of the state machine, or answers 409 naming the state it is in. */
async function move(
  id: string,
  event: "pause" | "resume" | "abort",
  data: Prisma.RolloutUpdateManyMutationInput,
  tx: Prisma.TransactionClient | ReturnType<typeof db> = db(),
) {
  const updated = await tx.rollout.updateMany({
    where: { id, state: { in: statesAllowing(event) } },
    data: { ...data, state: destinationOf(event) },
  });
  if (updated.count === 0) {
    const state = await stateOf(id);
    throw conflict(
      state === "rolling_back"
        ? "The rollout is rolling back a failed wave; a rollback in progress finishes and cannot be paused or aborted"
        : `A ${state} rollout cannot be ${event === "pause" ? "paused" : event === "resume" ? "resumed" : "aborted"}`,
    );
  }
}

/** Pause: no target that has not started applying starts; targets mid-apply finish that step and wait before their health gate. */
async function pause(id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    await move(id, "pause", {}, tx);
    await emitRolloutEvent(tx, id, "rollout.paused");
  });
}

/** Resume: queued targets start, and targets caught by the pause re-enter their health gate with a full timeout. */
async function resume(id: string): Promise<void> {
  await move(id, "resume", {});
  await advance(id);
}

/**
 * Abort: targets not started are skipped; health waits stop; nothing is rolled back automatically.
 * Each target is moved by one conditional UPDATE … WHERE state IN (…) RETURNING id, never read
 * first and written by id: Postgres re-checks the state under the row lock, so a worker that
 * claimed a target a moment before keeps it (it runs to a recorded outcome, its gate sees the
 * abort), and a target skipped here can no longer be claimed. Never both.
 */
async function abort(id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    await move(id, "abort", { finishedAt: new Date(), message: "Aborted by a user" }, tx);
    const skipped = await tx.rolloutTarget.updateManyAndReturn({
      where: { rolloutId: id, state: { in: targetStatesInto("skipped", ["pending", "queued"]) } },
      data: { state: "skipped", claimedBy: null },
      select: { id: true },
    });
    // Targets a pause left waiting before their gate will never be resumed: they end too, with the reason.
    const waiting = await tx.rolloutTarget.updateManyAndReturn({
      where: { rolloutId: id, state: { in: targetStatesInto("failed", ["gating"]) }, claimedBy: null },
      data: { state: "failed", error: "Rollout aborted before the health gate passed", finishedAt: new Date() },
      select: { id: true },
    });
    await tx.rolloutEvent.createMany({
      data: [
        ...skipped.map((t) => ({ rolloutId: id, targetId: t.id, step: "target.skipped", instance: "control" })),
        ...waiting.map((t) => ({ rolloutId: id, targetId: t.id, step: "target.failed", instance: "control" })),
      ],
      skipDuplicates: true,
    });
    // What has ended lets go of its clusters now; a target a worker still holds, when it ends.
    await letGoOfRollout(tx, id);
  });
}

const RUN: Record<RolloutAction, (id: string) => Promise<void>> = { pause, resume, abort };

const PAST: Record<RolloutAction, string> = { pause: "paused", resume: "resumed", abort: "aborted" };

/** Every control is a step of the rollout (several pauses are several steps), so its page tells who did what when. */
async function logControl(id: string, action: RolloutAction, profile: AccessProfile) {
  await db().rolloutEvent.create({
    data: {
      rolloutId: id,
      step: `rollout.${PAST[action]}.${Date.now()}`,
      instance: "control",
      details: { by: profile.email },
    },
  });
}

/** Steers a rollout, if the caller may (the rule is `rollout.<action>` in lib/server/access/resource-rules.ts). */
export async function controlRollout(profile: AccessProfile, id: string, action: RolloutAction): Promise<void> {
  await requireOnRollout(profile, `rollout.${action}`, id);
  await RUN[action](id);
  await logControl(id, action, profile);
}
