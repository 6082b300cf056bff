import "server-only";
import { db } from "@/lib/server/db/client";
import { advance } from "./advance";
import { snapshotChange } from "./change-digest";
import { emitRolloutEvent } from "./notify";
import { destinationOf, statesAllowing } from "./state-machine";
import { logStep } from "./target-steps";

/**
 * A scheduled rollout under an approval policy, at its start: the change digest is taken again
 * from the clusters. The same as approved: recorded, and the engine starts the first wave.
 * Different (a kubectl edit, another rollout landed, a new guardrail finding): the rollout goes
 * back to awaiting approval with the fresh preview (earlier approvals stop counting).
 */
export async function rerunScheduledPreview(rolloutId: string): Promise<void> {
  const rollout = await db().rollout.findUnique({
    where: { id: rolloutId },
    select: { state: true, approvalDigest: true },
  });
  if (!rollout || rollout.state !== "running" || !rollout.approvalDigest) return;
  const approved = rollout.approvalDigest;
  const snapshot = await snapshotChange(rolloutId);
  if (snapshot.digest === approved && snapshot.denied.length === 0) {
    await logStep(db(), rolloutId, null, `scheduled.preview-rerun.${approved}`, { digest: approved, same: true });
    await advance(rolloutId);
    return;
  }
  await db().$transaction(async (tx) => {
    const { count } = await tx.rollout.updateMany({
      where: {
        id: rolloutId,
        state: { in: statesAllowing("preview-changed") },
        approvalDigest: approved,
        currentWave: 0,
      },
      data: {
        state: destinationOf("preview-changed"),
        approvalDigest: snapshot.digest,
        approvalPreview: snapshot.clusters as object[],
        approvalDigestAt: new Date(),
        message:
          "Stale: at its scheduled start the preview differs from the approved one; the fresh preview needs approval again",
      },
    });
    if (count === 0) return;
    await tx.rolloutWave.updateMany({ where: { rolloutId }, data: { windowWait: null, windowOpensAt: null } });
    await logStep(tx, rolloutId, null, `approval.stale.${Date.now()}`, {
      digest: snapshot.digest,
      at: "scheduled start",
    });
    await emitRolloutEvent(tx, rolloutId, "rollout.awaiting-approval");
  });
}
