import "server-only";
import { conflict, notFound } from "@/lib/server/errors/app-error";
import { db } from "@/lib/server/db/client";
import { advance } from "./engine";
import { isUuid } from "@/lib/schemas/ids";

async function load(id: string) {
  const rollout = isUuid(id)
    ? await db().rollout.findUnique({ where: { id }, select: { id: true, state: true } })
    : null;
  if (!rollout) throw notFound("Rollout");
  return rollout;
}

/** Pause: no new wave or cluster starts; clusters already applying finish their step. */
export async function pauseRollout(id: string): Promise<void> {
  const rollout = await load(id);
  const updated = await db().rollout.updateMany({
    where: { id: rollout.id, state: "running" },
    data: { state: "paused" },
  });
  if (updated.count === 0) throw conflict(`A ${rollout.state} rollout cannot be paused`);
}

export async function resumeRollout(id: string): Promise<void> {
  const rollout = await load(id);
  const updated = await db().rollout.updateMany({
    where: { id: rollout.id, state: "paused" },
    data: { state: "running" },
  });
  if (updated.count === 0) throw conflict(`A ${rollout.state} rollout cannot be resumed`);
  await advance(rollout.id);
}

/** Abort: stops here. Clusters not started are skipped; clusters waiting for health stop waiting. Nothing is rolled back automatically. */
export async function abortRollout(id: string): Promise<void> {
  const rollout = await load(id);
  const updated = await db().rollout.updateMany({
    where: { id: rollout.id, state: { in: ["running", "paused"] } },
    data: { state: "aborted", finishedAt: new Date(), message: "Aborted by a user" },
  });
  if (updated.count === 0) throw conflict(`A ${rollout.state} rollout cannot be aborted`);
  await db().rolloutTarget.updateMany({
    where: { rolloutId: rollout.id, state: { in: ["pending", "queued"] } },
    data: { state: "skipped" },
  });
}
