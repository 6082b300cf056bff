import "server-only";
import { allows, type AccessProfile } from "@/lib/server/access/policy";
import { forbidden } from "@/lib/server/errors/app-error";

/** Steering a rollout or release (pause, abort, heal, roll back) needs deploy on every cluster it touches, or being its author, or admin. */
export function requireSteer(profile: AccessProfile, clusterIds: string[], authorId?: string | null): void {
  if (profile.isAdmin || (authorId && authorId === profile.userId)) return;
  if (clusterIds.length > 0 && clusterIds.every((clusterId) => allows(profile, { clusterId, level: "deploy" }))) return;
  throw forbidden("Steering this needs deploy access on every cluster it covers");
}
