import "server-only";
import pLimit from "p-limit";
import { db } from "@/lib/server/db/client";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { desiredObjects, renderTargetOf, revisionSourceOf } from "./desired";
import type { ObjectOutcome } from "./executor";
import { executor } from "./hub-push";

export interface DriftEntry {
  kind: string;
  namespace: string | null;
  name: string;
  problem: "missing" | "changed" | "taken-over";
  managers?: string[];
}

/** What a dry-run apply of the desired objects says about the live ones: only fields we manage count. */
function driftOf(outcomes: ObjectOutcome[]): DriftEntry[] {
  const entries: DriftEntry[] = [];
  for (const outcome of outcomes) {
    const base = { kind: outcome.ref.kind, namespace: outcome.ref.namespace, name: outcome.ref.name };
    if (outcome.action === "created") entries.push({ ...base, problem: "missing" });
    else if (outcome.action === "configured") entries.push({ ...base, problem: "changed" });
    else if (outcome.action === "conflict")
      entries.push({ ...base, problem: "taken-over", managers: outcome.conflictManagers });
    else if (outcome.action === "error" || outcome.action === "invalid" || outcome.action === "forbidden")
      throw new Error(outcome.error ?? "dry-run failed");
  }
  return entries;
}

/**
 * Drift check of one release on every cluster it is on: render what should be there, ask
 * the API server to dry-run apply it (force off), and see whether that would change
 * anything we manage, recreate something missing, or collide with a manager that took
 * our fields over. Heal re-applies (taking ownership back) where drift was found.
 */
export async function checkReleaseDrift(
  releaseId: string,
  options: { heal: boolean },
): Promise<Array<{ clusterId: string; state: string; drift: DriftEntry[] }>> {
  const release = await db().release.findUnique({
    where: { id: releaseId },
    include: {
      clusters: { include: { cluster: { select: { id: true, name: true, labels: true, variables: true } } } },
    },
  });
  if (!release) return [];
  // Most clusters of a release run the same revision: read each revision once.
  const revisionIds = [...new Set(release.clusters.map((entry) => entry.revisionId))];
  const revisions = new Map(
    (await db().templateRevision.findMany({ where: { id: { in: revisionIds } } })).map((revision) => [
      revision.id,
      revision,
    ]),
  );
  const limit = pLimit(8);
  return Promise.all(
    release.clusters.map((entry) =>
      limit(async () => {
        const revision = revisions.get(entry.revisionId);
        if (!revision) throw new Error(`revision ${entry.revisionId} of release ${release.name} is missing`);
        const desired = await desiredObjects(
          revisionSourceOf(revision),
          entry.params as Record<string, unknown>,
          renderTargetOf(entry.cluster),
          { id: release.id, name: release.name },
        );
        if (!desired.ok) return { clusterId: entry.clusterId, state: "unknown", drift: [] };
        let drift: DriftEntry[];
        try {
          drift = driftOf(await executor.apply(entry.clusterId, desired.manifests, { dryRun: true, force: false }));
          if (drift.length && options.heal) {
            await executor.apply(entry.clusterId, desired.manifests, { dryRun: false, force: true });
            drift = driftOf(await executor.apply(entry.clusterId, desired.manifests, { dryRun: true, force: false }));
          }
        } catch (error) {
          await db().releaseCluster.update({
            where: { releaseId_clusterId: { releaseId, clusterId: entry.clusterId } },
            data: {
              driftState: "unreachable",
              driftCheckedAt: new Date(),
              driftDetails: [{ error: classifyClusterError(error).message }],
            },
          });
          return { clusterId: entry.clusterId, state: "unreachable", drift: [] };
        }
        const state = drift.length ? "drifted" : "in_sync";
        await db().releaseCluster.update({
          where: { releaseId_clusterId: { releaseId, clusterId: entry.clusterId } },
          data: { driftState: state, driftCheckedAt: new Date(), driftDetails: drift as unknown as object[] },
        });
        return { clusterId: entry.clusterId, state, drift };
      }),
    ),
  );
}

/** The periodic round: every release, healing those set to heal automatically. */
export async function checkAllReleases(): Promise<void> {
  const releases = await db().release.findMany({ select: { id: true, autoHeal: true } });
  for (const release of releases) await checkReleaseDrift(release.id, { heal: release.autoHeal });
}
