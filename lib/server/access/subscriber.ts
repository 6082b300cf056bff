import "server-only";
import type { AccessProfile } from "./policy";
import { seesPlace } from "./resource-rules";

/**
 * Notification decisions (README, rule table "Notifications"):
 *
 * - `notification.read`: a team's subscriptions and their deliveries are read by the team's
 *   members and admins; the admins' subscriptions (no team) by admins only. Anyone else gets
 *   404, exactly as for a subscription that does not exist.
 * - `notification.manage`: creating, deleting and test-sending a team's subscription takes a
 *   maintainer of that team or an admin; the admins' subscriptions take an admin.
 * - `notification.hear`: what a subscription receives of an event is decided over EVERY part
 *   (a cluster, and the namespaces the subject writes to there) the event names, against what
 *   its owner can see when the event is dispatched: an admins' subscription hears everything
 *   while its creator is still an enabled admin; a team's hears only the parts on which its
 *   grants see a place (`seesPlace`, the rule `rollout.read` and `release.read` use), and nothing
 *   at all when it sees none. Names and facts of hidden parts never leave in a body; the places
 *   themselves are never sent.
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
  /** A team's: a profile holding exactly that team's grants, resolved now. */
  | { kind: "team"; profile: AccessProfile }
  /** Hears nothing (its creator is no longer an admin, or its team is gone). */
  | { kind: "nothing" };

interface Part {
  clusterId: string;
  places?: ReadonlyArray<{ namespace: string | null }>;
}

const seesPart = (profile: AccessProfile, part: Part) =>
  part.places?.length
    ? part.places.some((place) => seesPlace(profile, { clusterId: part.clusterId, namespace: place.namespace }))
    : seesPlace(profile, { clusterId: part.clusterId, namespace: undefined });

/**
 * The parts of an event a subscriber may hear (without their places), or null when it hears
 * nothing of it. Decided over every part the event names: parts it cannot see are dropped,
 * never summarised, so neither a name nor a count of hidden clusters reaches the receiver.
 */
export function audibleParts<T extends Part>(
  sight: SubscriberSight,
  parts: readonly T[],
): Array<Omit<T, "places">> | null {
  if (sight.kind === "nothing") return null;
  const visible = sight.kind === "fleet" ? parts : parts.filter((part) => seesPart(sight.profile, part));
  if (visible.length === 0) return null;
  return visible.map(({ places: _places, ...rest }) => rest);
}
