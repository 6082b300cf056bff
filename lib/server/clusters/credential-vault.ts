import "server-only";
import { envelopeSchema, rewrap, seal, type Envelope } from "@/lib/server/crypto/envelope";
import { keyring, openSealed } from "@/lib/server/crypto/master-keyring";
import { clusterCredentialSchema, type ClusterCredential } from "@/lib/server/kube/credential";

/** The associated data binding a credential to its cluster row. */
const context = (clusterId: string) => `cluster:${clusterId}:credential`;

export function sealCredential(clusterId: string, credential: ClusterCredential): Envelope {
  return seal(keyring(), Buffer.from(JSON.stringify(credential), "utf8"), context(clusterId));
}

export function openCredential(clusterId: string, stored: unknown): ClusterCredential {
  const plaintext = openSealed(envelopeSchema.parse(stored), context(clusterId));
  try {
    return clusterCredentialSchema.parse(JSON.parse(plaintext.toString("utf8")));
  } finally {
    plaintext.fill(0);
  }
}

export function rewrapCredential(clusterId: string, stored: unknown): Envelope {
  return rewrap(keyring(), envelopeSchema.parse(stored), context(clusterId));
}
