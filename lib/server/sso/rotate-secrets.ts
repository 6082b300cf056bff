import "server-only";
import { envelopeSchema } from "@/lib/server/crypto/envelope";
import { db } from "@/lib/server/db/client";
import { rewrapAttemptSecrets, rewrapClientSecret } from "./secret-vault";

/**
 * Part of `npm run keys:rotate`: re-wraps each provider's client-secret data key under the
 * current master key (the secret itself is not decrypted). Compare-and-set on the old
 * envelope, so a secret replaced meanwhile wins.
 */
export async function rewrapSsoClientSecrets(
  currentKeyId: string,
): Promise<{ rewrapped: number; alreadyCurrent: number }> {
  let rewrapped = 0;
  let alreadyCurrent = 0;
  const rows = await db().ssoProvider.findMany({ select: { id: true, clientSecretEnvelope: true } });
  for (const row of rows) {
    const envelope = envelopeSchema.parse(row.clientSecretEnvelope);
    if (envelope.kid === currentKeyId) {
      alreadyCurrent += 1;
      continue;
    }
    const next = rewrapClientSecret(row.id, envelope);
    rewrapped += await db().$executeRaw`
      UPDATE sso_providers SET client_secret_envelope = ${JSON.stringify(next)}::jsonb
      WHERE id = ${row.id}::uuid AND client_secret_envelope = ${JSON.stringify(row.clientSecretEnvelope)}::jsonb`;
  }
  return { rewrapped, alreadyCurrent };
}

/**
 * Also re-wraps the sealed PKCE verifier and nonce of sign-ins in progress, so a person at the
 * provider's login page while the key rotates can still finish (each lives ten minutes).
 */
export async function rewrapSsoLoginAttempts(currentKeyId: string): Promise<number> {
  let rewrapped = 0;
  const rows = await db().ssoLoginAttempt.findMany({
    where: { expiresAt: { gt: new Date() } },
    select: { id: true, sealed: true },
  });
  for (const row of rows) {
    const envelope = envelopeSchema.parse(row.sealed);
    if (envelope.kid === currentKeyId) continue;
    const next = rewrapAttemptSecrets(row.id, envelope);
    rewrapped += await db().$executeRaw`
      UPDATE sso_login_attempts SET sealed = ${JSON.stringify(next)}::jsonb
      WHERE id = ${row.id} AND sealed = ${JSON.stringify(row.sealed)}::jsonb`;
  }
  return rewrapped;
}
