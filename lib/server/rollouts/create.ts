import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { RolloutRequest } from "@/lib/schemas/templates";
import type { AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { conflict, validationFailed } from "@/lib/server/errors/app-error";
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
      select: { id: true, createdById: true },
    });
    // A key is the caller's own: someone else's key neither returns their rollout nor says it exists.
    if (existing && existing.createdById === profile.userId) return { id: existing.id, created: false };
    if (existing) throw validationFailed({ idempotencyKey: ["Use a new idempotency key"] });
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
      // Names are unique per team; the unique index cannot cover global releases (NULL team), so they take a lock.
      if (!validated.release && validated.teamId === null) {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`release:${request.releaseName}`}))`;
        if (await tx.release.findFirst({ where: { teamId: null, name: request.releaseName }, select: { id: true } }))
          throw conflict(
            `Release ${request.releaseName} was created by another request at the same moment; start again`,
          );
      }
      const release =
        validated.release ??
        (await tx.release.create({
          data: {
            teamId: validated.teamId,
            name: request.releaseName,
            templateId: validated.templateId,
            createdById: profile.userId,
          },
          select: { id: true, name: true },
        }));
      const rollout = await tx.rollout.create({
        data: {
          teamId: validated.teamId,
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
              ids.map((clusterId) => ({
                clusterId,
                clusterName: names.get(clusterId) ?? clusterId,
                waveIndex: index,
                scope: (validated.scope.get(clusterId) ?? []) as object[],
              })),
            ),
          },
        },
        select: { id: true },
      });
      return rollout.id;
    });
  } catch (error) {
    // The same key raced in from a second click: answer with the rollout that won.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const existing = request.idempotencyKey
        ? await db().rollout.findUnique({
            where: { idempotencyKey: request.idempotencyKey },
            select: { id: true, createdById: true },
          })
        : null;
      if (existing?.createdById === profile.userId) return { id: existing.id, created: false };
      throw conflict(`Release ${request.releaseName} was created by another request at the same moment; start again`);
    }
    throw error;
  }
  await advance(rolloutId);
  return { id: rolloutId, created: true };
}
