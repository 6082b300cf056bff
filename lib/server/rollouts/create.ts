import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { RolloutRequest } from "@/lib/schemas/templates";
import type { AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { planWaves } from "./plan";
import { advance } from "./engine";
import { validateRollout } from "./validate";

/**
 * Starts a rollout: validates everything, creates the release on first use, writes the
 * rollout with its waves and targets in one transaction, then lets the engine run it.
 * The same idempotency key always yields the same rollout (a double-clicked form starts one).
 */
export async function startRollout(
  profile: AccessProfile,
  request: RolloutRequest,
): Promise<{ id: string; created: boolean }> {
  if (request.idempotencyKey) {
    const existing = await db().rollout.findUnique({
      where: { idempotencyKey: request.idempotencyKey },
      select: { id: true },
    });
    if (existing) return { id: existing.id, created: false };
  }
  const validated = await validateRollout(profile, request);
  const waves = planWaves(
    validated.targets.map((t) => t.id),
    request.strategy,
  );
  const names = new Map(validated.targets.map((t) => [t.id, t.name]));

  let rolloutId: string;
  try {
    rolloutId = await db().$transaction(async (tx) => {
      const release =
        validated.release ??
        (await tx.release.create({
          data: { name: request.releaseName, templateId: validated.templateId, createdById: profile.userId },
          select: { id: true, name: true },
        }));
      const rollout = await tx.rollout.create({
        data: {
          releaseId: release.id,
          revisionId: validated.revision.id,
          params: validated.params as object,
          strategy: request.strategy as object,
          healthGate: request.healthGate as object,
          tolerateFailures: request.tolerateFailures,
          autoRollback: request.autoRollback,
          takeOwnership: request.takeOwnership,
          idempotencyKey: request.idempotencyKey ?? null,
          createdById: profile.userId,
          createdByEmail: profile.email,
          createdByTeams: profile.teamNames,
          waves: { create: waves.map((_, index) => ({ index })) },
          targets: {
            create: waves.flatMap((ids, index) =>
              ids.map((clusterId) => ({ clusterId, clusterName: names.get(clusterId) ?? clusterId, waveIndex: index })),
            ),
          },
        },
        select: { id: true },
      });
      return rollout.id;
    });
  } catch (error) {
    // The same key raced in from a second click: answer with the rollout that won.
    if (request.idempotencyKey && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const existing = await db().rollout.findUniqueOrThrow({
        where: { idempotencyKey: request.idempotencyKey },
        select: { id: true },
      });
      return { id: existing.id, created: false };
    }
    throw error;
  }
  await advance(rolloutId);
  return { id: rolloutId, created: true };
}
