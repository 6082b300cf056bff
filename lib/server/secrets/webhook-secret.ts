import "server-only";
import { randomBytes } from "node:crypto";
import { envelopeSchema, rewrap, seal, type Envelope } from "@/lib/server/crypto/envelope";
import { keyring, openSealed } from "@/lib/server/crypto/master-keyring";
import { db } from "@/lib/server/db/client";

/**
 * Webhook signing secrets, sealed like cluster credentials (envelope encryption bound to the
 * subscription's id, so a sealed secret copied to another row does not open). Here, below
 * notifications, so master-key rotation (clusters/rotate-keys.ts) can re-wrap them.
 */

const context = (subscriptionId: string) => `webhook-secret:${subscriptionId}`;

/** A new random secret (shown once) and its sealed form for the row with this id. */
export function newWebhookSecret(subscriptionId: string): { secret: string; envelope: Envelope } {
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const plaintext = Buffer.from(secret, "utf8");
  try {
    return { secret, envelope: seal(keyring(), plaintext, context(subscriptionId)) };
  } finally {
    plaintext.fill(0);
  }
}

/** Opens a subscription's secret, for signing a delivery only. */
export function openWebhookSecret(subscriptionId: string, envelope: unknown): Buffer {
  return openSealed(envelopeSchema.parse(envelope), context(subscriptionId));
}

/** For master-key rotation: re-wraps every subscription's data key; secrets are never opened. */
export async function rewrapWebhookSecrets(): Promise<{ rewrapped: number; alreadyCurrent: number }> {
  let rewrapped = 0;
  let alreadyCurrent = 0;
  const ring = keyring();
  const rows = await db().notificationSubscription.findMany({ select: { id: true, secretEnvelope: true } });
  for (const row of rows) {
    const envelope = envelopeSchema.parse(row.secretEnvelope);
    if (envelope.kid === ring.current.id) {
      alreadyCurrent += 1;
      continue;
    }
    const next = rewrap(ring, envelope, context(row.id));
    // Compare-and-set: a subscription deleted meanwhile simply is not updated.
    const updated = await db().$executeRaw`
      UPDATE notification_subscriptions SET secret_envelope = ${JSON.stringify(next)}::jsonb
      WHERE id = ${row.id}::uuid AND secret_envelope = ${JSON.stringify(row.secretEnvelope)}::jsonb`;
    rewrapped += updated;
  }
  return { rewrapped, alreadyCurrent };
}
