import "server-only";
import type { ConnectionTestView } from "@/lib/api/cluster-types";
import { probeCluster, type ProbeResult } from "@/lib/server/kube/probe";
import type { CredentialInput } from "@/lib/schemas/clusters";
import { isAppError, validationFailed } from "@/lib/server/errors/app-error";
import { transientTransport, transportFor } from "./connection";
import { recordProbe } from "./health";
import { materialProblems } from "./material";
import { serverAddressProblem } from "./server-address";

export function toConnectionTestView(result: ProbeResult): ConnectionTestView {
  return result.ok
    ? {
        ok: true,
        kubernetesVersion: result.kubernetesVersion,
        latencyMs: result.latencyMs,
        nodeCount: result.nodeCount,
        namespaceCount: result.namespaceCount,
        identity: result.identity,
        warnings: result.warnings,
      }
    : { ok: false, latencyMs: result.latencyMs, error: result.error };
}

/** On-demand test of a registered cluster; the result also updates its status. */
export async function checkRegisteredCluster(clusterId: string): Promise<ConnectionTestView> {
  let transport;
  try {
    transport = await transportFor(clusterId);
  } catch (error) {
    // A credential that does not open: the cluster's status says why (the answer is the 503 itself).
    if (isAppError(error) && error.code === "credential_unavailable")
      await recordProbe(clusterId, {
        ok: false,
        latencyMs: null,
        error: { code: "credential_unavailable", message: error.message },
      });
    throw error;
  }
  const result = await probeCluster(transport);
  await recordProbe(clusterId, result);
  return toConnectionTestView(result);
}

/** Test of settings before they are saved. Nothing is stored. */
export async function checkUnsavedConnection(input: {
  server: string;
  caData?: string | null;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string | null;
  credential: CredentialInput;
}): Promise<ConnectionTestView> {
  const problems = materialProblems(input);
  const addressProblem = await serverAddressProblem(input.server);
  if (addressProblem) problems.server = [addressProblem];
  if (Object.keys(problems).length > 0) throw validationFailed(problems);
  const transport = transientTransport(input);
  try {
    return toConnectionTestView(await probeCluster(transport));
  } finally {
    transport.destroy();
  }
}
