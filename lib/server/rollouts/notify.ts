import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { NotificationEventType } from "@/lib/schemas/notifications";
import { placesOfTarget } from "@/lib/server/access/coverage";
import { emitEvent } from "@/lib/server/events/emit";

type Tx = Prisma.TransactionClient;

/**
 * A rollout's notification event, written into the outbox in the transaction that makes the
 * change (events/emit.ts). The subject carries nothing about any one cluster (the rollout's
 * message can name clusters, so it is left out); each target the event is about is a part,
 * which a subscriber hears only when it can see that cluster (access/subscriber.ts).
 */
export async function emitRolloutEvent(
  tx: Tx,
  rolloutId: string,
  type: NotificationEventType,
  options: { targetIds?: string[]; waveIndex?: number; extra?: Record<string, unknown> } = {},
): Promise<void> {
  const rollout = await tx.rollout.findUnique({
    where: { id: rolloutId },
    select: {
      id: true,
      state: true,
      teamId: true,
      releaseId: true,
      createdByEmail: true,
      release: { select: { name: true } },
      team: { select: { name: true } },
      targets: {
        where: options.targetIds ? { id: { in: options.targetIds } } : {},
        select: {
          id: true,
          clusterId: true,
          clusterName: true,
          waveIndex: true,
          state: true,
          error: true,
          scope: true,
        },
        orderBy: [{ waveIndex: "asc" }, { clusterName: "asc" }],
      },
    },
  });
  if (!rollout) return;
  const targets =
    options.waveIndex === undefined
      ? rollout.targets
      : rollout.targets.filter((t) => t.waveIndex === options.waveIndex);
  await emitEvent(tx, {
    type,
    subject: {
      rolloutId: rollout.id,
      releaseId: rollout.releaseId,
      releaseName: rollout.release.name,
      team: rollout.team?.name ?? null,
      state: rollout.state,
      startedBy: rollout.createdByEmail,
      ...options.extra,
    },
    clusters: targets.map((t) => ({
      clusterId: t.clusterId,
      clusterName: t.clusterName,
      // Where it writes there, to decide who hears it (never sent). Wave numbers are not sent:
      // a team seeing only some waves would learn how many it cannot see.
      places: placesOfTarget(t).flatMap((place) =>
        place.namespace === undefined ? [] : [{ namespace: place.namespace }],
      ),
      state: t.state,
      ...(t.error ? { error: t.error } : {}),
    })),
  });
}
