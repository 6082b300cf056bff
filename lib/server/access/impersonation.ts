import "server-only";
import type { ExtraHeaders } from "@/lib/server/kube/transport";
import type { AccessProfile } from "./policy";

/**
 * Headers for calls made on a user's behalf to a cluster with impersonation on: the
 * cluster's own RBAC then sees the user (their email) and their teams (as groups), so it
 * enforces the same boundaries a second time. A single sign-on user's provider groups are
 * sent too (with the provider's prefix, when it is set to send them), so a cluster's RBAC
 * can bind the same groups the company's provider knows. No group starting with `system:` is
 * ever sent (whatever a provider or a team name says). Archipelago's credential needs the
 * `impersonate` verb on users and groups.
 */
export function impersonationHeaders(
  profile: Pick<AccessProfile, "email" | "teamNames" | "providerGroups">,
  clusterImpersonates: boolean,
): ExtraHeaders {
  if (!clusterImpersonates) return {};
  // Kubernetes' own groups (system:masters is cluster-admin) are never ours to claim for a user.
  const groups = [...new Set([...profile.teamNames, ...(profile.providerGroups ?? [])])].filter(
    (group) => !group.toLowerCase().startsWith("system:"),
  );
  return groups.length > 0
    ? { "impersonate-user": profile.email, "impersonate-group": groups }
    : { "impersonate-user": profile.email };
}
