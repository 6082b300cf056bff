import { readFileSync } from "node:fs";
import { ensureTestbed, type Testbed } from "@/testbed/harness";
import { parseKubeconfig } from "@/lib/server/clusters/kubeconfig";
import type { CreateClusterBody } from "@/lib/schemas/clusters";

/** The testbed's clusters as registration input, for integration tests. */
export async function testbed(): Promise<Testbed> {
  return ensureTestbed({ clusters: 3, timeoutMs: 15 * 60_000 });
}

export function kubeconfigText(tb: Testbed): string {
  return readFileSync(tb.kubeconfigPath, "utf8");
}

/** Registration input for one testbed context (e.g. "testbed-1", "testbed-1-cert"). */
export function registrationFor(
  tb: Testbed,
  context: string,
  name: string,
  extra: Partial<CreateClusterBody> = {},
): CreateClusterBody {
  const resolved = parseKubeconfig(kubeconfigText(tb)).find((entry) => entry.candidate.context === context);
  if (!resolved?.connection) throw new Error(`testbed context ${context} not found or not importable`);
  return {
    name,
    description: "",
    server: resolved.connection.server,
    caData: resolved.connection.caData,
    insecureSkipTlsVerify: false,
    tlsServerName: null,
    credential: resolved.connection.credential,
    labels: {},
    variables: {},
    impersonateUsers: false,
    ...extra,
  };
}
