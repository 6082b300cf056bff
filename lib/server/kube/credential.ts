import "server-only";
import { z } from "zod";

/** What a cluster's encrypted envelope holds. Never leaves lib/server/kube and lib/server/clusters. */
export const clusterCredentialSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("token"), token: z.string().min(1) }),
  z.object({ type: z.literal("client_certificate"), certificate: z.string().min(1), key: z.string().min(1) }),
]);
export type ClusterCredential = z.infer<typeof clusterCredentialSchema>;

/** Everything needed to talk to one cluster. `revision` identifies a version of these settings. */
export interface ConnectionSpec {
  clusterId: string;
  revision: number;
  server: string;
  caData: string | null;
  insecureSkipTlsVerify: boolean;
  tlsServerName: string | null;
  credential: ClusterCredential;
}
