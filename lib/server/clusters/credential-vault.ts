import "server-only";
import { z } from "zod";
import { DecryptionError, envelopeSchema, rewrap, seal, type Envelope } from "@/lib/server/crypto/envelope";
import { AppError } from "@/lib/server/errors/app-error";
import { keyring, openSealed } from "@/lib/server/crypto/master-keyring";
import { clusterCredentialSchema, type ClusterCredential } from "@/lib/server/kube/credential";

/** The associated data binding a credential to its cluster row. */
const context = (clusterId: string) => `cluster:${clusterId}:credential`;

export function sealCredential(clusterId: string, credential: ClusterCredential): Envelope {
  return seal(keyring(), Buffer.from(JSON.stringify(credential), "utf8"), context(clusterId));
}

/**
 * A credential that does not open (sealed under a master key this instance does not hold, or
 * tampered with) is the cluster's problem, not a server fault: 503 naming the cluster (and, to
 * admins, the key id: a fingerprint, never key material), which every fan-out shows as that
 * cluster's state.
 */
export function openCredential(cluster: { id: string; name: string }, stored: unknown): ClusterCredential {
  let plaintext: Buffer;
  try {
    plaintext = openSealed(envelopeSchema.parse(stored), context(cluster.id));
  } catch (error) {
    if (!(error instanceof DecryptionError) && !(error instanceof z.ZodError)) throw error;
    throw credentialUnavailable(cluster.name, stored);
  }
  try {
    return clusterCredentialSchema.parse(JSON.parse(plaintext.toString("utf8")));
  } finally {
    plaintext.fill(0);
  }
}

export function rewrapCredential(clusterId: string, stored: unknown): Envelope {
  return rewrap(keyring(), envelopeSchema.parse(stored), context(clusterId));
}

/**
 * Everyone who can see the cluster is told it and what to do; the key ids (which key it is
 * sealed under, which is current) are in `keyIdMessage`, answered only to callers the access
 * policy lets see them (canSeeKeyIds, applied in http/route.ts). Fan-outs and stored statuses
 * (inventory, preview, health, a rollout target) carry the message without key ids.
 */
function credentialUnavailable(clusterName: string, stored: unknown): AppError {
  const kid = envelopeSchema.safeParse(stored).data?.kid;
  const ring = keyring();
  const reason = !kid
    ? "is not a sealed credential Archipelago can read"
    : ring.all.some((key) => key.id === kid)
      ? `does not open under master key ${kid} (changed or copied from another row)`
      : `is sealed under master key ${kid}, which this instance's keyring does not hold (current key ${ring.current.id})`;
  return new AppError(
    503,
    "credential_unavailable",
    `The stored credential of cluster ${clusterName} does not open with the current keys; an admin can see which key: restore that key or replace the cluster's credential`,
    {
      keyIdMessage: `The stored credential of cluster ${clusterName} ${reason}: restore that key or replace the cluster's credential`,
    },
  );
}
