import "server-only";
import { canSeeCluster, type AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import { isUuid } from "@/lib/schemas/ids";

/** A rollout is visible to admins, to whoever started it, and to anyone who can see one of its clusters. */
const canSeeRollout = (
  profile: AccessProfile,
  rollout: { createdById: string | null; targets: Array<{ clusterId: string }> },
) =>
  profile.isAdmin ||
  rollout.createdById === profile.userId ||
  rollout.targets.some((t) => canSeeCluster(profile, t.clusterId));

export async function listRollouts(profile: AccessProfile, page: number, pageSize: number) {
  const rows = await db().rollout.findMany({
    orderBy: { createdAt: "desc" },
    take: 500,
    include: {
      release: { select: { name: true } },
      revision: { select: { number: true, template: { select: { name: true } } } },
      targets: { select: { clusterId: true, state: true } },
    },
  });
  const visible = rows.filter((r) => canSeeRollout(profile, r));
  return {
    total: visible.length,
    rollouts: visible.slice((page - 1) * pageSize, page * pageSize).map((r) => ({
      id: r.id,
      release: r.release.name,
      template: r.revision.template.name,
      revision: r.revision.number,
      state: r.state,
      createdByEmail: r.createdByEmail,
      createdAt: r.createdAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      targets: r.targets.length,
      succeeded: r.targets.filter((t) => t.state === "succeeded").length,
      failed: r.targets.filter((t) => t.state === "failed").length,
    })),
  };
}

export async function getRollout(profile: AccessProfile, id: string) {
  if (!isUuid(id)) throw notFound("Rollout");
  const rollout = await db().rollout.findUnique({
    where: { id },
    include: {
      release: { select: { id: true, name: true } },
      revision: { select: { number: true, template: { select: { id: true, name: true } } } },
      waves: { orderBy: { index: "asc" } },
      targets: { orderBy: [{ waveIndex: "asc" }, { clusterName: "asc" }] },
      events: { orderBy: { id: "asc" }, take: 500 },
    },
  });
  if (!rollout) throw notFound("Rollout");
  if (!canSeeRollout(profile, rollout)) throw notFound("Rollout");
  return {
    id: rollout.id,
    state: rollout.state,
    message: rollout.message,
    release: rollout.release,
    template: rollout.revision.template,
    revision: rollout.revision.number,
    params: rollout.params,
    strategy: rollout.strategy,
    healthGate: rollout.healthGate,
    tolerateFailures: rollout.tolerateFailures,
    autoRollback: rollout.autoRollback,
    takeOwnership: rollout.takeOwnership,
    createdByEmail: rollout.createdByEmail,
    createdAt: rollout.createdAt.toISOString(),
    finishedAt: rollout.finishedAt?.toISOString() ?? null,
    currentWave: rollout.currentWave,
    waves: rollout.waves.map((w) => ({
      index: w.index,
      state: w.state,
      startedAt: w.startedAt?.toISOString() ?? null,
      bakeUntil: w.bakeUntil?.toISOString() ?? null,
      finishedAt: w.finishedAt?.toISOString() ?? null,
    })),
    targets: rollout.targets
      .filter((t) => profile.isAdmin || rollout.createdById === profile.userId || canSeeCluster(profile, t.clusterId))
      .map((t) => ({
        id: t.id,
        clusterId: t.clusterId,
        clusterName: t.clusterName,
        wave: t.waveIndex,
        state: t.state,
        objects: t.objects,
        gate: t.gate,
        error: t.error,
        startedAt: t.startedAt?.toISOString() ?? null,
        finishedAt: t.finishedAt?.toISOString() ?? null,
      })),
    events: rollout.events.map((e) => ({
      step: e.step,
      at: e.at.toISOString(),
      targetId: e.targetId,
      details: e.details,
    })),
  };
}
