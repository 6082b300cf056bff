import "server-only";
import type { ReleaseDetail } from "@/lib/api/rollout-types";
import { requireOnRelease } from "@/lib/server/access/coverage";
import type { AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { checkReleaseDrift } from "./drift";
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
 * are steering: decided over every cluster and namespace, before any cluster is called.
 * The answer is cut to what the caller sees.
 */
export async function checkDriftFor(profile: AccessProfile, id: string, options: { heal: boolean }) {
  await requireOnRelease(profile, options.heal ? "release.heal" : "release.drift-check", id);
  const results = await checkReleaseDrift(id, {
    ...options,
    actor: { email: profile.email, teams: profile.teamNames },
  });
  const release = await getRelease(profile, id);
  const visible = new Set(release.clusters.map((c) => c.clusterId));
  return {
    release,
    results: results
      .filter((result) => visible.has(result.clusterId))
      .map((result) => ({ ...result, drift: visibleDrift(profile, result.clusterId, result.drift) })),
  };
}
