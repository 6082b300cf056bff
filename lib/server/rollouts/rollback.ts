import "server-only";
import { requireOnRelease } from "@/lib/server/access/coverage";
import type { AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { validationFailed } from "@/lib/server/errors/app-error";
import { parseColumn, storedParamsSchema } from "@/lib/server/releases/columns";
import { markersIn } from "@/lib/server/releases/secret-render";
import { startRollout, type StartedRollout } from "./create";

/**
 * Rolling back = a new rollout of an earlier revision, with the parameters it last ran with,
 * to every cluster of the release (rule `release.rollback`: steering over all of them, as a
 * member of the release's team). Secret parameters take the sealed values that revision was
 * rolled out with (never the newest ones), and the rollout's log says so.
 */
export async function rollbackRelease(
  profile: AccessProfile,
  releaseId: string,
  input: { revision: number; idempotencyKey?: string },
): Promise<StartedRollout> {
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
  const params = parseColumn(storedParamsSchema, last.params, "parameters");
  const sealed = Object.fromEntries(markersIn(params));
  const paths = Object.keys(sealed).sort();
  return startRollout(
    profile,
    {
      teamId: release.teamId,
      releaseName: release.name,
      templateId: release.templateId,
      revision: input.revision,
      params,
      targets: { selector: null, clusterIds: release.clusters.map((c) => c.clusterId) },
      strategy: { kind: "all" },
      healthGate: { timeoutSeconds: 120 },
      tolerateFailures: 0,
      autoRollback: false,
      takeOwnership: true,
      idempotencyKey: input.idempotencyKey,
    },
    {
      sealed,
      note: paths.length
        ? { step: "rollout.secret-params-from-revision", details: { revision: input.revision, paths } }
        : undefined,
    },
  );
}
