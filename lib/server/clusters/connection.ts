import "server-only";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import type { ConnectionSpec } from "@/lib/server/kube/credential";
import { ClusterTransport } from "@/lib/server/kube/transport";
import { cachedTransport, storeTransport } from "@/lib/server/kube/transport-cache";
import type { CredentialInput } from "@/lib/schemas/clusters";
import { openCredential } from "./credential-vault";

/**
 * The only place a stored credential is decrypted: it goes straight into the cluster's
 * transport (and its keep-alive agent), cached by cluster id and revision. Callers that
 * have just read the cluster row pass its revision, which saves a query on hot paths.
 */
export async function transportFor(clusterId: string, knownRevision?: number): Promise<ClusterTransport> {
  const revision =
    knownRevision ??
    (await db().cluster.findUnique({ where: { id: clusterId }, select: { revision: true } }))?.revision;
  if (revision === undefined) throw notFound("Cluster");
  const cached = cachedTransport(clusterId, revision);
  if (cached) return cached;

  const cluster = await db().cluster.findUnique({
    where: { id: clusterId },
    select: {
      id: true,
      name: true,
      revision: true,
      server: true,
      caData: true,
      insecureSkipTlsVerify: true,
      tlsServerName: true,
      credentialEnvelope: true,
    },
  });
  if (!cluster) throw notFound("Cluster");
  const spec: ConnectionSpec = {
    clusterId: cluster.id,
    revision: cluster.revision,
    server: cluster.server,
    caData: cluster.caData,
    insecureSkipTlsVerify: cluster.insecureSkipTlsVerify,
    tlsServerName: cluster.tlsServerName,
    credential: openCredential(cluster, cluster.credentialEnvelope),
  };
  return storeTransport(spec, env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS);
}

/** A throwaway transport for testing settings that are not saved yet. Call destroy() after use. */
export function transientTransport(input: {
  server: string;
  caData?: string | null;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string | null;
  credential: CredentialInput;
}): ClusterTransport {
  return new ClusterTransport(
    {
      clusterId: "unsaved",
      revision: 0,
      server: input.server,
      caData: input.caData ?? null,
      insecureSkipTlsVerify: input.insecureSkipTlsVerify ?? false,
      tlsServerName: input.tlsServerName ?? null,
      credential: input.credential,
    },
    env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS,
  );
}
