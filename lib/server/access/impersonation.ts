import "server-only";
import type { ExtraHeaders } from "@/lib/server/kube/transport";
import type { AccessProfile } from "./policy";

/**
 * Headers for calls made on a user's behalf to a cluster with impersonation on: the
 * cluster's own RBAC then sees the user (their email) and their teams (as groups), so it
 * enforces the same boundaries a second time. Archipelago's credential needs the
 * `impersonate` verb on users and groups.
 */
export function impersonationHeaders(profile: AccessProfile, clusterImpersonates: boolean): ExtraHeaders {
  if (!clusterImpersonates) return {};
  return profile.teamNames.length > 0
    ? { "impersonate-user": profile.email, "impersonate-group": profile.teamNames }
    : { "impersonate-user": profile.email };
}
