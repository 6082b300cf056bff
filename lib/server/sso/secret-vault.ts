import "server-only";
import { z } from "zod";
import { envelopeSchema, rewrap, seal, type Envelope } from "@/lib/server/crypto/envelope";
import { keyring, openSealed } from "@/lib/server/crypto/master-keyring";

/** The associated data binding a client secret to its provider row. */
const context = (providerId: string) => `sso-provider:${providerId}:client-secret`;

/** Sealed like cluster credentials (envelope encryption under the master keyring). */
export function sealClientSecret(providerId: string, secret: string): Envelope {
  return seal(keyring(), Buffer.from(secret, "utf8"), context(providerId));
}

export function openClientSecret(providerId: string, stored: unknown): string {
  return openText(stored, context(providerId));
}

function openText(stored: unknown, aad: string): string {
  const plaintext = openSealed(envelopeSchema.parse(stored), aad);
  try {
    return plaintext.toString("utf8");
  } finally {
    plaintext.fill(0);
  }
}

export function rewrapClientSecret(providerId: string, stored: unknown): Envelope {
  return rewrap(keyring(), envelopeSchema.parse(stored), context(providerId));
}

const attemptSecretsSchema = z.object({ codeVerifier: z.string().min(1), nonce: z.string().min(1) });
export type AttemptSecrets = z.infer<typeof attemptSecretsSchema>;

/** The associated data binding a sign-in attempt's secrets to its row (the state's hash). */
const attemptContext = (attemptId: string) => `sso-login-attempt:${attemptId}`;

/**
 * A sign-in in progress keeps its PKCE verifier and nonce sealed: read from a database dump
 * (with a state and code seen in a log or a Referer), they would let someone else finish it.
 */
export function sealAttemptSecrets(attemptId: string, secrets: AttemptSecrets): Envelope {
  return seal(keyring(), Buffer.from(JSON.stringify(secrets), "utf8"), attemptContext(attemptId));
}

export function rewrapAttemptSecrets(attemptId: string, stored: unknown): Envelope {
  return rewrap(keyring(), envelopeSchema.parse(stored), attemptContext(attemptId));
}

export function openAttemptSecrets(attemptId: string, stored: unknown): AttemptSecrets {
  return attemptSecretsSchema.parse(JSON.parse(openText(stored, attemptContext(attemptId))));
}
