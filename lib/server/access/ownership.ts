import "server-only";
import { db } from "@/lib/server/db/client";
import { isUuid } from "@/lib/schemas/ids";
import { releaseCoverage } from "./coverage";
import type { AccessProfile } from "./policy";
import { decide } from "./resource-rules";

/**
 * Decisions about who owns an object on a cluster (one release at a time, see
 * lib/server/releases/ownership.ts): who may take an object over from another release, and
 * whether a caller may be told which release owns it. Both decided over the owner release's
 * whole coverage (rules `release.take-over` and `release.read`), never over a visible part.
 */

/**
 * May `author` take objects over from release `ownerReleaseId` (rule `release.take-over`: steer it)?
 * A release that no longer exists leaves its objects to nobody: anyone who explicitly takes
 * ownership may. No profile (a disabled or deleted author) may not.
 */
export async function mayTakeOverFrom(author: AccessProfile | null, ownerReleaseId: string): Promise<boolean> {
  if (!author) return false;
  const coverage = await releaseCoverage(ownerReleaseId);
  if (!coverage) return true;
  return decide(author, "release.take-over", coverage) === "allowed";
}

/**
 * The owner release's name as `viewer` may know it: its name when they may read the release
 * (`release.read`), else null ("another release you cannot see"); a label naming no stored
 * release (deleted, or another Archipelago's) is null as well.
 */
export async function ownerReleaseNameFor(viewer: AccessProfile, ownerReleaseId: string): Promise<string | null> {
  if (!isUuid(ownerReleaseId)) return null;
  const coverage = await releaseCoverage(ownerReleaseId);
  if (!coverage || decide(viewer, "release.read", coverage) !== "allowed") return null;
  const release = await db().release.findUnique({ where: { id: ownerReleaseId }, select: { name: true } });
  return release?.name ?? null;
}

/** May `profile` learn whether a Secret value about to be written equals the live one (rule `secret-value.compare`)? */
export const mayCompareSecretValues = (profile: AccessProfile, clusterId: string, namespace: string | null) =>
  namespace !== null &&
  decide(profile, "secret-value.compare", { teamId: null, places: [{ clusterId, namespace, level: "view" }] }) ===
    "allowed";
