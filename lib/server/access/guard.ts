import "server-only";
import { forbidden, notFound } from "@/lib/server/errors/app-error";
import { allows, canSeeCluster, canSeeNamespace, type AccessProfile, type AccessRequest } from "./policy";

/**
 * Throwing forms of the policy. Something the caller may not see answers exactly like
 * something that does not exist (404, same message), so names cannot be probed; something
 * visible but beyond the caller's level answers 403.
 */

export function requireClusterVisible(profile: AccessProfile, clusterId: string): void {
  if (!canSeeCluster(profile, clusterId)) throw notFound("Cluster");
}

export function requireAllowed(profile: AccessProfile, request: AccessRequest, what = "Resource"): void {
  requireClusterVisible(profile, request.clusterId);
  if (request.namespace !== undefined && !canSeeNamespace(profile, request.clusterId, request.namespace))
    throw notFound(what);
  if (!allows(profile, request)) {
    const place =
      request.namespace === undefined
        ? "this cluster"
        : request.namespace === null
          ? "cluster-scoped objects of this cluster"
          : `namespace ${request.namespace}`;
    const secretNote = request.secrets && request.secrets !== "none" ? ` with secret access "${request.secrets}"` : "";
    throw forbidden(`Your teams' grants do not allow "${request.level}"${secretNote} on ${place}`);
  }
}

export function requireAdmin(profile: AccessProfile): void {
  if (!profile.isAdmin) throw forbidden("Only admins can do this");
}

/** Team members see their team; maintainers manage its members; admins do everything. */
export function requireTeamVisible(profile: AccessProfile, teamId: string): void {
  if (!profile.isAdmin && !profile.memberOf.has(teamId)) throw notFound("Team");
}

export function requireTeamMaintainer(profile: AccessProfile, teamId: string): void {
  requireTeamVisible(profile, teamId);
  if (!profile.isAdmin && !profile.maintainerOf.has(teamId))
    throw forbidden("Only the team's maintainers and admins can change its members");
}
