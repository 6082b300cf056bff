import "server-only";
import { envelopeSchema, open, rewrap, seal, type Envelope } from "@/lib/server/crypto/envelope";
import { keyring, reloadKeyring } from "@/lib/server/crypto/master-keyring";

/** The associated data binding a client secret to its provider row. */
const context = (providerId: string) => `sso-provider:${providerId}:client-secret`;

/** Sealed like cluster credentials (envelope encryption under the master keyring). */
export function sealClientSecret(providerId: string, secret: string): Envelope {
  return seal(keyring(), Buffer.from(secret, "utf8"), context(providerId));
}

export function openClientSecret(providerId: string, stored: unknown): string {
  const envelope = envelopeSchema.parse(stored);
  let plaintext: Buffer;
  try {
    plaintext = open(keyring(), envelope, context(providerId));
  } catch (error) {
    // A key id we do not know may mean a rotation added a key since we loaded ours.
    if (
      !(error instanceof Error && error.name === "DecryptionError") ||
      keyring().all.some((key) => key.id === envelope.kid)
    )
      throw error;
    plaintext = open(reloadKeyring(), envelope, context(providerId));
  }
  try {
    return plaintext.toString("utf8");
  } finally {
    plaintext.fill(0);
  }
}

export function rewrapClientSecret(providerId: string, stored: unknown): Envelope {
  return rewrap(keyring(), envelopeSchema.parse(stored), context(providerId));
}
