import "server-only";
import { envelopeSchema, open, rewrap, seal, type Envelope } from "@/lib/server/crypto/envelope";
import { keyring, reloadKeyring } from "@/lib/server/crypto/master-keyring";
import { clusterCredentialSchema, type ClusterCredential } from "@/lib/server/kube/credential";

/** The associated data binding a credential to its cluster row. */
const context = (clusterId: string) => `cluster:${clusterId}:credential`;

export function sealCredential(clusterId: string, credential: ClusterCredential): Envelope {
  return seal(keyring(), Buffer.from(JSON.stringify(credential), "utf8"), context(clusterId));
}

export function openCredential(clusterId: string, stored: unknown): ClusterCredential {
  const envelope = envelopeSchema.parse(stored);
  let plaintext: Buffer;
  try {
    plaintext = open(keyring(), envelope, context(clusterId));
  } catch (error) {
    // A key id we do not know may mean a rotation added a key since we loaded ours.
    if (
      !(error instanceof Error && error.name === "DecryptionError") ||
      keyring().all.some((key) => key.id === envelope.kid)
    )
      throw error;
    plaintext = open(reloadKeyring(), envelope, context(clusterId));
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
