import "server-only";
import { requireOnRelease } from "@/lib/server/access/coverage";
import type { AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { validationFailed } from "@/lib/server/errors/app-error";
import { startRollout } from "./create";

/**
 * Rolling back = a new rollout of an earlier revision, with the parameters it last ran with,
 * to every cluster of the release (rule `release.rollback`: steering over all of them, as a
 * member of the release's team).
 */
export async function rollbackRelease(
  profile: AccessProfile,
  releaseId: string,
  input: { revision: number; idempotencyKey?: string },
): Promise<{ id: string; created: boolean }> {
  await requireOnRelease(profile, "release.rollback", releaseId);
  const release = await db().release.findUniqueOrThrow({
    where: { id: releaseId },
    select: { name: true, teamId: true, templateId: true, clusters: { select: { clusterId: true } } },
  });
  const last = await db().rollout.findFirst({
    where: { releaseId, revision: { number: input.revision } },
    orderBy: { createdAt: "desc" },
    select: { params: true },
  });
  if (!last) throw validationFailed({ revision: [`Release ${release.name} never ran revision ${input.revision}`] });
  return startRollout(profile, {
    teamId: release.teamId,
    releaseName: release.name,
    templateId: release.templateId,
    revision: input.revision,
    params: last.params as Record<string, unknown>,
    targets: { selector: null, clusterIds: release.clusters.map((c) => c.clusterId) },
    strategy: { kind: "all" },
    healthGate: { timeoutSeconds: 120 },
    tolerateFailures: 0,
    autoRollback: false,
    takeOwnership: true,
    idempotencyKey: input.idempotencyKey,
  });
}
