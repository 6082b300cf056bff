import "server-only";
import { untilDeadline } from "./deadline";
import { isClusterCallError } from "./errors";
import type { ClusterTransport } from "./transport";

/**
 * What a cluster says about a kind: its REST plural and whether it is namespaced. Asked of
 * the cluster's own discovery (GET /api/v1, GET /apis/<group>/<version>), never guessed
 * from a list, because clusters serve kinds (CRDs, newer built-ins) that no list knows.
 *
 * Hand-written rather than client-node's discovery helpers: this runs over the guarded
 * transport (address guard, deadlines, keep-alive pool) like every other cluster call.
 */
export interface DiscoveredResource {
  /** The REST prefix: /api/v1 or /apis/<group>/<version>. */
  prefix: string;
  plural: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

const TTL_MS = 60_000;
/** Per cluster revision and group version; a CRD installed a minute ago is seen within the TTL (and at once on a miss). */
const cache = new Map<string, { at: number; list: Promise<ApiResourceList | null> }>();

export const apiPrefix = (apiVersion: string) =>
  apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;

async function groupVersion(transport: ClusterTransport, apiVersion: string, maxAgeMs: number) {
  const key = `${transport.spec.clusterId}/${transport.spec.revision}/${apiVersion}`;
  const cached = cache.get(key);
  if (cached && Date.now() - cached.at < maxAgeMs) return cached.list;
  const list = transport.json<ApiResourceList>({ method: "GET", path: apiPrefix(apiVersion) }).catch((error) => {
    // A group version the cluster does not serve is an answer (null), not a failure.
    if (isClusterCallError(error) && error.code === "not_found") return null;
    throw error;
  });
  cache.set(key, { at: Date.now(), list });
  list.catch(() => cache.delete(key));
  return list;
}

/**
 * The resource serving `kind` in `apiVersion` on this cluster, or null when the cluster does
 * not serve it. A miss in an answer older than a second asks again, so a kind registered since (a CRD
 * applied a moment ago) is found. Cluster failures are thrown (classified by the transport), and
 * so is the end of the caller's deadline (`signal`, see deadline.ts).
 */
export async function discoverResource(
  transport: ClusterTransport,
  apiVersion: string,
  kind: string,
  signal?: AbortSignal,
): Promise<DiscoveredResource | null> {
  const find = (list: ApiResourceList | null) =>
    list?.resources.find((resource) => resource.kind === kind && !resource.name.includes("/"));
  // The answer is shared by every caller (cached), so a caller's deadline ends its wait, not the request.
  let found = find(await untilDeadline(groupVersion(transport, apiVersion, TTL_MS), signal));
  if (!found) found = find(await untilDeadline(groupVersion(transport, apiVersion, 1_000), signal));
  return found ? { prefix: apiPrefix(apiVersion), plural: found.name, namespaced: found.namespaced } : null;
}
