import "server-only";
import type { AccessLevelValue } from "@/lib/schemas/access";
import {
  allows,
  allowsOnSomeCluster,
  canSeeCluster,
  canSeeNamespace,
  secretAccessFor,
  type AccessProfile,
} from "./policy";

/**
 * Who may do what to rollouts, releases and templates: one table, one decision function.
 *
 * A rollout or release *covers* places: every (cluster, namespace) where it writes, each with
 * the level writing there needs (deploy, or manage for cluster-scoped, RBAC and admission
 * objects; see placement.ts). Coverage is loaded from the database over the whole rollout or
 * release (coverage.ts), never over the part the caller can see. Then:
 *
 * - `see`: the caller can see at least one covered place; the answer is cut to those places.
 * - `steer`: the caller holds the place's level on *every* covered place. Being the author
 *   does not widen this: an author who lost a grant loses the steering too. A place of
 *   unknown scope (rows from before scopes were recorded) is steered by admins only.
 * - `team`: additionally a member of the owning team (a release's or template's).
 * - `reveal`: `reveal` secret access on every place (a secret reference's source namespace).
 * Admins may do everything. Anything the caller cannot see at all answers 404, exactly like
 * something that does not exist; visible but not allowed answers 403.
 */
export const RESOURCE_RULES = {
  "rollout.read": { need: "see" },
  "rollout.pause": { need: "steer" },
  "rollout.resume": { need: "steer" },
  "rollout.abort": { need: "steer" },
  // Approving needs to see the rollout (else 404) and a standing under its policies (approval-rules.ts).
  "rollout.approve": { need: "see" },
  // A fresh preview throws the approvals of the old one away: steering, like a pause.
  "rollout.refresh-preview": { need: "steer" },
  "release.read": { need: "see" },
  // A drift check calls every cluster of the release and writes its drift state: steering, not reading.
  "release.drift-check": { need: "steer" },
  "release.heal": { need: "steer" },
  "release.auto-heal": { need: "steer" },
  "release.rollback": { need: "steer", team: true },
  "release.add-rollout": { need: "steer", team: true },
  // A new value for a secret parameter lands on every target: deploy on every place it writes.
  "secret-param.set": { need: "steer" },
  // A secret reference copies a Secret's values out of its source: the author must be allowed to reveal them there.
  "secret-ref.use": { need: "reveal" },
  // Taking an object over from another release (a rollout with takeOwnership) takes it from that
  // release's steerers: the rollout's author must be allowed to steer the release it takes from.
  "release.take-over": { need: "steer" },
  // Whether a value about to be written equals the live one is itself a secret: only who may reveal it learns that.
  "secret-value.compare": { need: "reveal" },
  "template.read": { need: "team-or-global" },
  "template.use": { need: "team-or-global" },
  "template.write": { need: "team", level: "deploy" },
} as const satisfies Record<string, Rule>;

interface Rule {
  need: "see" | "steer" | "team-or-global" | "team" | "reveal";
  /** steer: owning team membership is needed too. */
  team?: boolean;
  /** team: the level needed on at least one cluster (writing a template nobody can deploy is noise). */
  level?: AccessLevelValue;
}

export type ResourceAction = keyof typeof RESOURCE_RULES;

/** One place a rollout or release writes to. `namespace` null: cluster-scoped; undefined: somewhere on the cluster (scope unknown). */
export interface CoveredPlace {
  clusterId: string;
  namespace: string | null | undefined;
  level: AccessLevelValue;
}

export interface Coverage {
  places: CoveredPlace[];
  /** Owning team (null: global / admin-made). */
  teamId: string | null;
}

export type Decision = "allowed" | "hidden" | "forbidden";

/**
 * Whose templates a caller reads and uses: their teams' and the global ones (admin-made).
 * A user in no team sees none. As a filter for list queries, so lists and lookups agree.
 */
export function templateOwnersFor(profile: AccessProfile): "all" | { global: boolean; teamIds: string[] } {
  if (profile.isAdmin) return "all";
  return { global: profile.memberOf.size > 0, teamIds: [...profile.memberOf] };
}

function ownersVisible(profile: AccessProfile, teamId: string | null): boolean {
  const owners = templateOwnersFor(profile);
  return owners === "all" || (teamId === null ? owners.global : owners.teamIds.includes(teamId));
}

export const seesPlace = (profile: AccessProfile, place: Pick<CoveredPlace, "clusterId" | "namespace">) =>
  place.namespace === undefined
    ? canSeeCluster(profile, place.clusterId)
    : canSeeNamespace(profile, place.clusterId, place.namespace);

/** A place of unknown scope (a row written before scopes were recorded) can be steered by admins only: fail closed. */
const holdsPlace = (profile: AccessProfile, place: CoveredPlace) =>
  place.namespace !== undefined &&
  allows(profile, { clusterId: place.clusterId, namespace: place.namespace, level: place.level });

const inTeam = (profile: AccessProfile, teamId: string | null) => teamId !== null && profile.memberOf.has(teamId);

/** May the caller read this template (its team's, or a global one)? For answers that name a template. */
export const canReadTemplate = (profile: AccessProfile, template: { teamId: string | null }) =>
  decide(profile, "template.read", { teamId: template.teamId, places: [] }) === "allowed";

export function decide(profile: AccessProfile, action: ResourceAction, coverage: Coverage): Decision {
  if (profile.isAdmin) return "allowed";
  const rule: Rule = RESOURCE_RULES[action];
  switch (rule.need) {
    case "team-or-global":
      return ownersVisible(profile, coverage.teamId) ? "allowed" : "hidden";
    case "team":
      if (!ownersVisible(profile, coverage.teamId)) return "hidden";
      // Global templates are readable by every team member and written by admins only.
      if (!inTeam(profile, coverage.teamId)) return "forbidden";
      return !rule.level || allowsOnSomeCluster(profile, { level: rule.level }) ? "allowed" : "forbidden";
    case "reveal":
      if (!coverage.places.some((place) => seesPlace(profile, place))) return "hidden";
      return coverage.places.length > 0 &&
        coverage.places.every(
          (place) =>
            typeof place.namespace === "string" &&
            secretAccessFor(profile, place.clusterId, place.namespace) === "reveal",
        )
        ? "allowed"
        : "forbidden";
    case "see":
    case "steer": {
      if (!coverage.places.some((place) => seesPlace(profile, place))) return "hidden";
      if (rule.need === "see") return "allowed";
      if (rule.team && !inTeam(profile, coverage.teamId)) return "forbidden";
      return coverage.places.length > 0 && coverage.places.every((place) => holdsPlace(profile, place))
        ? "allowed"
        : "forbidden";
    }
  }
}

/** A secret reference's source, as the rule `secret-ref.use` decides it. */
export interface ReferenceSource {
  cluster: string;
  namespace: string;
}

/**
 * May `profile` have this source's values copied (rule `secret-ref.use`: reveal on its
 * namespace)? One decision per source, for whoever makes a read happen: the author at start,
 * the caller of a drift check or heal, the stored author's current access for automatic reads.
 * No profile (a disabled or deleted author) may not.
 */
export const decideReferenceUse = (profile: AccessProfile | null, source: ReferenceSource): Decision =>
  profile
    ? decide(profile, "secret-ref.use", {
        teamId: null,
        places: [{ clusterId: source.cluster, namespace: source.namespace, level: "view" }],
      })
    : "forbidden";
