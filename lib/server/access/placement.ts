import "server-only";
import type { AccessLevelValue } from "@/lib/schemas/access";
import { allows, allowsOnSomeCluster, type AccessProfile } from "./policy";

/**
 * What writing one object needs. Whether its kind is namespaced comes from the target
 * cluster's discovery (the caller asks `lib/server/kube/discovery.ts`), never from a list:
 * a cluster-scoped object, whatever its kind, needs `manage` with cluster-scoped access.
 * Namespaced objects that grant or intercept permissions need `manage` in their namespace.
 */
export interface Placement {
  /** null: cluster-scoped. */
  namespace: string | null;
  level: AccessLevelValue;
}

/**
 * API groups whose objects grant permissions, intercept admission or extend the API. Today
 * all their kinds but Role and RoleBinding are cluster-scoped (and so need `manage` anyway);
 * naming the groups keeps a future namespaced kind in them from needing only `deploy`.
 */
const MANAGE_GROUPS = new Set([
  "rbac.authorization.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "certificates.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "node.k8s.io",
]);

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0]! : "");

export function placementOf(object: { apiVersion: string; namespace: string | null }, namespaced: boolean): Placement {
  if (!namespaced) return { namespace: null, level: "manage" };
  return { namespace: object.namespace, level: MANAGE_GROUPS.has(groupOf(object.apiVersion)) ? "manage" : "deploy" };
}

/** The placement of an object already applied (its stored reference has no namespace exactly when it is cluster-scoped). */
export const placementOfApplied = (ref: { apiVersion: string; namespace: string | null }): Placement =>
  placementOf(ref, ref.namespace !== null);

/** An object about to be written, as rendered (namespace as the template says). */
export interface PlacedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/**
 * Placement rules for a set of objects on one cluster (or, with clusterId null at template
 * save time, on any cluster the author holds): namespaced objects must name a namespace the
 * caller may write to at the needed level, cluster-scoped objects must not name one and need
 * `manage` with cluster-scoped access. `namespaced` is the cluster's discovery answer per
 * kind (clusters/kind-scope.ts): a kind it does not serve is refused. Returns the problems,
 * and the places written (the target's scope, decided over for later steering).
 */
export function placementProblems(
  profile: AccessProfile,
  clusterId: string | null,
  objects: PlacedObject[],
  namespaced: ReadonlyMap<string, boolean | null>,
): { problems: string[]; scope: Placement[] } {
  const problems: string[] = [];
  const scope = new Map<string, Placement>();
  for (const object of objects) {
    const label = `${object.kind} ${object.metadata.name}`;
    const isNamespaced = namespaced.get(`${object.apiVersion}|${object.kind}`);
    const namespace = object.metadata.namespace ?? null;
    if (isNamespaced === undefined || isNamespaced === null) {
      problems.push(`${label}: the cluster does not serve ${object.kind} in ${object.apiVersion}`);
      continue;
    }
    if (isNamespaced && !namespace) {
      problems.push(`${label}: metadata.namespace is required (namespaced objects must say where they go)`);
      continue;
    }
    if (!isNamespaced && namespace)
      problems.push(`${label}: ${object.kind} is cluster-scoped and must not have metadata.namespace`);
    const placement = placementOf({ apiVersion: object.apiVersion, namespace }, isNamespaced);
    scope.set(`${placement.namespace ?? ""}|${placement.level}`, placement);
    if (profile.isAdmin) continue;
    const request = { namespace: placement.namespace, level: placement.level };
    const allowed = clusterId ? allows(profile, { clusterId, ...request }) : allowsOnSomeCluster(profile, request);
    if (!allowed)
      problems.push(
        placement.namespace === null
          ? `${label}: cluster-scoped objects need "manage" with cluster-scoped access`
          : placement.level === "manage"
            ? `${label}: ${object.kind} needs "manage" in namespace ${placement.namespace}`
            : `${label}: you may not deploy to namespace ${placement.namespace}`,
      );
  }
  return { problems, scope: [...scope.values()] };
}
