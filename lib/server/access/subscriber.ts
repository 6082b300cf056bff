import "server-only";
import type { AccessProfile } from "./policy";

/**
 * Notification decisions (README, rule table "Notifications"):
 *
 * - `notification.read`: a team's subscriptions and their deliveries are read by the team's
 *   members and admins; the admins' subscriptions (no team) by admins only. Anyone else gets
 *   404, exactly as for a subscription that does not exist.
 * - `notification.manage`: creating, deleting and test-sending a team's subscription takes a
 *   maintainer of that team or an admin; the admins' subscriptions take an admin.
 * - `notification.hear`: what a subscription receives of an event is decided over EVERY cluster
 *   the event touches, against what its owner can see when the event is dispatched: an admins'
 *   subscription hears everything while its creator is still an enabled admin; a team's hears
 *   only the parts (clusters) its grants cover, and nothing at all when it covers none. Cluster
 *   names and facts of hidden clusters never leave in a body, and counts are over the visible parts.
 */

export interface SubscriptionOwner {
  teamId: string | null;
}

export type SubscriptionDecision = "allowed" | "hidden" | "forbidden";

export function decideSubscriptionRead(profile: AccessProfile, owner: SubscriptionOwner): SubscriptionDecision {
  if (profile.isAdmin) return "allowed";
  if (owner.teamId !== null && profile.memberOf.has(owner.teamId)) return "allowed";
  return "hidden";
}

export function decideSubscriptionManage(profile: AccessProfile, owner: SubscriptionOwner): SubscriptionDecision {
  const read = decideSubscriptionRead(profile, owner);
  if (read !== "allowed") return read;
  if (profile.isAdmin) return "allowed";
  return owner.teamId !== null && profile.maintainerOf.has(owner.teamId) ? "allowed" : "forbidden";
}

/** What the owner of a subscription sees when an event is dispatched. */
export type SubscriberSight =
  /** The admins' subscription whose creator is still an enabled admin. */
  | { kind: "fleet" }
  /** A team's: the clusters its grants cover now. */
  | { kind: "clusters"; clusterIds: ReadonlySet<string> }
  /** Hears nothing (its creator is no longer an admin). */
  | { kind: "nothing" };

/**
 * The parts of an event a subscriber may hear, or null when it hears nothing of it. Decided
 * over every cluster the event names: parts of clusters it cannot see are dropped, never
 * summarised, so neither a name nor a count of hidden clusters reaches the receiver.
 */
export function audibleParts<T extends { clusterId: string }>(sight: SubscriberSight, parts: readonly T[]): T[] | null {
  if (sight.kind === "nothing") return null;
  if (sight.kind === "fleet") return parts.length ? [...parts] : null;
  const visible = parts.filter((part) => sight.clusterIds.has(part.clusterId));
  return visible.length ? visible : null;
}
