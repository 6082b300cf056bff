import "server-only";
import type { ReleaseDetail } from "@/lib/api/rollout-types";
import { requireOnRelease } from "@/lib/server/access/coverage";
import type { AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { decideReferenceUse } from "@/lib/server/access/resource-rules";
import { forbidden } from "@/lib/server/errors/app-error";
import { checkReleaseDrift } from "./drift";
import { releaseReferences } from "./secret-render";
import { namedFor } from "./owner-words";
import { getRelease, visibleDrift } from "./queries";

/** Switches automatic healing on or off (rule `release.auto-heal`). */
export async function setAutoHeal(profile: AccessProfile, id: string, autoHeal: boolean): Promise<ReleaseDetail> {
  await requireOnRelease(profile, "release.auto-heal", id);
  await db().release.update({ where: { id }, data: { autoHeal } });
  return getRelease(profile, id);
}

/**
 * Checks drift now, and with heal re-applies where it drifted (rules `release.drift-check`,
 * `release.heal`). Both call every cluster of the release and write its drift state, so both
 * are steering: decided over every cluster and namespace, before any cluster is called; and
 * both read secret references' sources, so `secret-ref.use` is decided for the caller too.
 * The answer is cut to what the caller sees.
 */
export async function checkDriftFor(profile: AccessProfile, id: string, options: { heal: boolean }) {
  await requireOnRelease(profile, options.heal ? "release.heal" : "release.drift-check", id);
  // Both read every secret reference's source (and heal copies it): rule secret-ref.use for the
  // caller on every source, before any cluster is called. Named by parameter path only.
  const refused = (await releaseReferences(id)).filter(
    ({ ref }) => decideReferenceUse(profile, { cluster: ref.cluster, namespace: ref.namespace }) !== "allowed",
  );
  if (refused.length)
    throw forbidden(
      `${options.heal ? "Healing" : "Checking drift of"} this release reads the source of secret reference ` +
        `${[...new Set(refused.map((r) => r.path))].join(", ")}, which needs "reveal" on that source`,
    );
  const results = await checkReleaseDrift(id, { ...options, caller: profile });
  const release = await getRelease(profile, id);
  // The state as the caller may know it (getRelease cuts it like the entries: a hidden place or a
  // Secret value the caller may not compare never shows as "drifted").
  const stateOf = new Map(release.clusters.map((c) => [c.clusterId, c.driftState]));
  return {
    release,
    results: await Promise.all(
      results
        .filter((result) => stateOf.has(result.clusterId))
        .map(async (result) => ({
          ...result,
          state: result.state === "drifted" ? (stateOf.get(result.clusterId) ?? result.state) : result.state,
          drift: await visibleDrift(profile, result.clusterId, result.drift),
          ...(result.healed
            ? {
                healed: await Promise.all(
                  result.healed.map(async (h) => (h.error ? { ...h, error: await namedFor(profile, h.error) } : h)),
                ),
              }
            : {}),
        })),
    ),
  };
}
