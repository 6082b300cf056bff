import "server-only";
import { AuthenticationV1Api, CoreV1Api, VersionApi } from "@kubernetes/client-node";
import { clusterDeadline } from "./deadline";
import { classifyClusterError, type ClusterErrorCode } from "./errors";
import type { ClusterTransport } from "./transport";

export interface ProbeSuccess {
  ok: true;
  kubernetesVersion: string;
  latencyMs: number;
  nodeCount: number | null;
  namespaceCount: number | null;
  identity: string | null;
  /** Parts that could not be read (e.g. a credential without rights to list nodes). */
  warnings: string[];
}

export interface ProbeFailure {
  ok: false;
  error: { code: ClusterErrorCode; message: string };
  latencyMs: number | null;
}

export type ProbeResult = ProbeSuccess | ProbeFailure;

/**
 * The connection test: version and round-trip time, who the credential authenticates as
 * (SelfSubjectReview), and node and namespace counts. The version call and the identity
 * call must succeed; counts may be forbidden for a narrowly scoped credential.
 */
export async function probeCluster(transport: ClusterTransport, timeoutMs?: number): Promise<ProbeResult> {
  // One deadline for the whole probe (version, identity, counts): a slow cluster costs the limit once, not per call.
  const configuration = transport.configuration(
    {},
    timeoutMs,
    timeoutMs === undefined ? undefined : clusterDeadline(timeoutMs),
  );
  const started = performance.now();
  let kubernetesVersion: string;
  let latencyMs: number;
  try {
    kubernetesVersion = (await new VersionApi(configuration).getCode()).gitVersion;
    latencyMs = Math.max(1, Math.round(performance.now() - started));
  } catch (error) {
    return failure(error);
  }

  try {
    // /version is readable anonymously on many clusters; this proves the credential works.
    const review = await new AuthenticationV1Api(configuration).createSelfSubjectReview({
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    });
    const warnings: string[] = [];
    const core = new CoreV1Api(configuration);
    const [nodeCount, namespaceCount] = await Promise.all([
      countOrWarn(() => core.listNode({ limit: 1 }), "nodes", warnings),
      countOrWarn(() => core.listNamespace({ limit: 1 }), "namespaces", warnings),
    ]);
    return {
      ok: true,
      kubernetesVersion,
      latencyMs,
      nodeCount,
      namespaceCount,
      identity: review.status?.userInfo?.username ?? null,
      warnings,
    };
  } catch (error) {
    return { ...failure(error), latencyMs };
  }
}

function failure(error: unknown): ProbeFailure {
  const classified = classifyClusterError(error);
  return { ok: false, error: { code: classified.code, message: classified.message }, latencyMs: null };
}

interface ListWithCount {
  items: unknown[];
  metadata?: { remainingItemCount?: number; _continue?: string };
}

/** A list with limit=1 carries remainingItemCount, so counting costs one small request. */
async function countOrWarn(
  list: () => Promise<ListWithCount>,
  what: string,
  warnings: string[],
): Promise<number | null> {
  try {
    const result = await list();
    return result.items.length + (result.metadata?.remainingItemCount ?? 0);
  } catch (error) {
    const classified = classifyClusterError(error);
    if (classified.code === "forbidden") {
      warnings.push(`The credential may not list ${what}`);
      return null;
    }
    throw classified;
  }
}
