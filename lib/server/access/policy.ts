import "server-only";
import { matchesAnyNamespace } from "@/lib/k8s/namespace-patterns";
import type { AccessLevelValue, SecretAccessValue } from "@/lib/schemas/access";

/**
 * The authorization decisions, as pure functions over a caller's access profile. Every
 * route, page and cluster call asks these (through guard.ts), nothing else decides.
 */

export interface ResolvedGrant {
  grantId: string;
  teamId: string;
  teamName: string;
  /** Clusters this grant covers right now (selector evaluated against admin-set labels, plus the explicit list). */
  clusterIds: ReadonlySet<string>;
  namespaces: readonly string[];
  clusterScoped: boolean;
  level: AccessLevelValue;
  secrets: SecretAccessValue;
}

export interface AccessProfile {
  userId: string;
  email: string;
  isAdmin: boolean;
  /** Names of the caller's teams (sent as Impersonate-Group). */
  teamNames: string[];
  /**
   * The identity provider's groups of a single sign-on user, prefixed as the provider is
   * configured, when it sends them to clusters (sent as Impersonate-Group besides team names).
   */
  providerGroups?: string[];
  memberOf: ReadonlySet<string>;
  maintainerOf: ReadonlySet<string>;
  grants: readonly ResolvedGrant[];
}

const LEVEL_RANK: Record<AccessLevelValue, number> = { view: 1, deploy: 2, manage: 3 };
const SECRET_RANK: Record<SecretAccessValue, number> = { none: 0, metadata: 1, reveal: 2 };

export const levelAtLeast = (held: AccessLevelValue, wanted: AccessLevelValue) =>
  LEVEL_RANK[held] >= LEVEL_RANK[wanted];
export const secretsAtLeast = (held: SecretAccessValue, wanted: SecretAccessValue) =>
  SECRET_RANK[held] >= SECRET_RANK[wanted];

export interface AccessRequest {
  clusterId: string;
  /** A namespace; null for cluster-scoped objects; undefined for "anything on this cluster". */
  namespace?: string | null;
  level: AccessLevelValue;
  secrets?: SecretAccessValue;
}

function grantCoversNamespace(grant: ResolvedGrant, namespace: string | null | undefined): boolean {
  if (namespace === undefined) return true;
  if (namespace === null) return grant.clusterScoped;
  return matchesAnyNamespace(grant.namespaces, namespace);
}

function grantCovers(grant: ResolvedGrant, clusterId: string, namespace: string | null | undefined): boolean {
  return grant.clusterIds.has(clusterId) && grantCoversNamespace(grant, namespace);
}

const grantAllows = (grant: ResolvedGrant, request: Omit<AccessRequest, "clusterId">) =>
  grantCoversNamespace(grant, request.namespace) &&
  levelAtLeast(grant.level, request.level) &&
  secretsAtLeast(grant.secrets, request.secrets ?? "none");

/** May the caller see this cluster at all (any grant on it)? */
export function canSeeCluster(profile: AccessProfile, clusterId: string): boolean {
  return profile.isAdmin || profile.grants.some((grant) => grant.clusterIds.has(clusterId));
}

/**
 * May the caller see which master key a record is sealed under (a key id in an error)? Admins
 * only: key ids say how keys are held and rotated, which is the operator's business.
 */
export function canSeeKeyIds(profile: AccessProfile): boolean {
  return profile.isAdmin;
}

/** May the caller see this namespace (or cluster-scoped objects) on this cluster at all? */
export function canSeeNamespace(
  profile: AccessProfile,
  clusterId: string,
  namespace: string | null | undefined,
): boolean {
  return profile.isAdmin || profile.grants.some((grant) => grantCovers(grant, clusterId, namespace));
}

export function allows(profile: AccessProfile, request: AccessRequest): boolean {
  if (profile.isAdmin) return true;
  return profile.grants.some((grant) => grant.clusterIds.has(request.clusterId) && grantAllows(grant, request));
}

/** Would some grant allow this on some cluster? For checks made before a cluster is chosen (saving a template). */
export function allowsOnSomeCluster(profile: AccessProfile, request: Omit<AccessRequest, "clusterId">): boolean {
  return profile.isAdmin || profile.grants.some((grant) => grantAllows(grant, request));
}

/** "all" for admins, else the clusters any grant covers. */
export function visibleClusterIds(profile: AccessProfile): "all" | Set<string> {
  if (profile.isAdmin) return "all";
  const ids = new Set<string>();
  for (const grant of profile.grants) for (const id of grant.clusterIds) ids.add(id);
  return ids;
}

/** The namespace patterns the caller holds on a cluster at a level ("*" for admins). */
export function namespacePatterns(
  profile: AccessProfile,
  clusterId: string,
  level: AccessLevelValue = "view",
): string[] {
  if (profile.isAdmin) return ["*"];
  const patterns = new Set<string>();
  for (const grant of profile.grants) {
    if (grant.clusterIds.has(clusterId) && levelAtLeast(grant.level, level))
      for (const pattern of grant.namespaces) patterns.add(pattern);
  }
  return [...patterns];
}

/** The strongest secret access the caller holds for a namespace of a cluster. */
export function secretAccessFor(profile: AccessProfile, clusterId: string, namespace: string): SecretAccessValue {
  if (profile.isAdmin) return "reveal";
  let best: SecretAccessValue = "none";
  for (const grant of profile.grants) {
    if (grantCovers(grant, clusterId, namespace) && SECRET_RANK[grant.secrets] > SECRET_RANK[best])
      best = grant.secrets;
  }
  return best;
}

/**
 * May the caller see an object of the fleet index (an inventory row, a timeline entry)? The
 * inventory's rule: its namespace is covered by a grant on its cluster (an empty namespace is a
 * cluster-scoped object), and a Secret needs at least `metadata` secret access there. The SQL
 * form is `indexedObjectVisibleSql` (visibility-sql.ts), tested against this one.
 */
export function seesIndexedObject(
  profile: AccessProfile,
  object: { clusterId: string; namespace: string; kind: string },
): boolean {
  if (profile.isAdmin) return true;
  const namespace = object.namespace === "" ? null : object.namespace;
  if (!canSeeNamespace(profile, object.clusterId, namespace)) return false;
  return (
    object.kind !== "secrets" ||
    (namespace !== null && secretsAtLeast(secretAccessFor(profile, object.clusterId, namespace), "metadata"))
  );
}
