import "server-only";
import type { AccessProfile } from "@/lib/server/access/policy";
import { requireOnRollout } from "@/lib/server/access/coverage";
import { conflict } from "@/lib/server/errors/app-error";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/server/db/client";
import { advance } from "./engine";
import { destinationOf, statesAllowing } from "./state-machine";

export const ROLLOUT_ACTIONS = ["pause", "resume", "abort"] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

async function stateOf(id: string) {
  return (await db().rollout.findUniqueOrThrow({ where: { id }, select: { state: true } })).state;
}

/** Moves the rollout along one edge of the state machine, or answers 409 naming the state it is in. */
async function move(id: string, event: "pause" | "resume" | "abort", data: Prisma.RolloutUpdateManyMutationInput) {
  const updated = await db().rollout.updateMany({
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
  await move(id, "pause", {});
}

/** Resume: queued targets start, and targets caught by the pause re-enter their health gate with a full timeout. */
async function resume(id: string): Promise<void> {
  await move(id, "resume", {});
  await advance(id);
}

/** Abort: targets not started are skipped; health waits stop; nothing is rolled back automatically. */
async function abort(id: string): Promise<void> {
  await move(id, "abort", { finishedAt: new Date(), message: "Aborted by a user" });
  await db().rolloutTarget.updateMany({
    where: { rolloutId: id, state: { in: ["pending", "queued"] } },
    data: { state: "skipped", claimedBy: null },
  });
  // Targets a pause left waiting before their gate will never be resumed: end them with the reason.
  await db().rolloutTarget.updateMany({
    where: { rolloutId: id, state: "gating", claimedBy: null },
    data: { state: "failed", error: "Rollout aborted before the health gate passed", finishedAt: new Date() },
  });
}

const RUN: Record<RolloutAction, (id: string) => Promise<void>> = { pause, resume, abort };

/** Steers a rollout, if the caller may (the rule is `rollout.<action>` in lib/server/access/resource-rules.ts). */
export async function controlRollout(profile: AccessProfile, id: string, action: RolloutAction): Promise<void> {
  await requireOnRollout(profile, `rollout.${action}`, id);
  await RUN[action](id);
}
