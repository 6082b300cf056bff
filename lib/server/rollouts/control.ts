import "server-only";
import type { AccessProfile } from "@/lib/server/access/policy";
import { requireOnRollout } from "@/lib/server/access/coverage";
import { conflict } from "@/lib/server/errors/app-error";
import { db } from "@/lib/server/db/client";
import { advance } from "./engine";

export const ROLLOUT_ACTIONS = ["pause", "resume", "abort"] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

async function stateOf(id: string) {
  return (await db().rollout.findUniqueOrThrow({ where: { id }, select: { state: true } })).state;
}

/** Pause: no new wave or cluster starts; clusters already applying finish their step. */
async function pause(id: string): Promise<void> {
  const updated = await db().rollout.updateMany({ where: { id, state: "running" }, data: { state: "paused" } });
  if (updated.count === 0) throw conflict(`A ${await stateOf(id)} rollout cannot be paused`);
}

async function resume(id: string): Promise<void> {
  const updated = await db().rollout.updateMany({ where: { id, state: "paused" }, data: { state: "running" } });
  if (updated.count === 0) throw conflict(`A ${await stateOf(id)} rollout cannot be resumed`);
  await advance(id);
}

/** Abort: stops here. Clusters not started are skipped; clusters waiting for health stop waiting. Nothing is rolled back automatically. */
async function abort(id: string): Promise<void> {
  const updated = await db().rollout.updateMany({
    where: { id, state: { in: ["running", "paused"] } },
    data: { state: "aborted", finishedAt: new Date(), message: "Aborted by a user" },
  });
  if (updated.count === 0) throw conflict(`A ${await stateOf(id)} rollout cannot be aborted`);
  await db().rolloutTarget.updateMany({
    where: { rolloutId: id, state: { in: ["pending", "queued"] } },
    data: { state: "skipped" },
  });
}

const RUN: Record<RolloutAction, (id: string) => Promise<void>> = { pause, resume, abort };

/** Steers a rollout, if the caller may (the rule is `rollout.<action>` in lib/server/access/resource-rules.ts). */
export async function controlRollout(profile: AccessProfile, id: string, action: RolloutAction): Promise<void> {
  await requireOnRollout(profile, `rollout.${action}`, id);
  await RUN[action](id);
}
