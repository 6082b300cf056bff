import "server-only";
import { createHmac, randomBytes } from "node:crypto";
import { envelopeSchema, open, rewrap, seal } from "@/lib/server/crypto/envelope";
import { keyring } from "@/lib/server/crypto/master-keyring";
import { db } from "@/lib/server/db/client";

/**
 * The key under which secret values are digested for comparison (a secret parameter's
 * fingerprint, a referenced Secret's drift). 32 random bytes made once and kept only sealed
 * under the master keyring (table sealed_keys, like the audit chain key): a digest stored in
 * the database cannot be tested against guesses without the master key. Rotation re-wraps it;
 * the key itself never changes, so stored digests stay comparable.
 */

const NAME = "secret-digest";
const CONTEXT = "sealed-key:secret-digest";

const globalForKey = globalThis as unknown as { archipelagoSecretDigestKey?: Promise<Buffer> };

async function loadOrCreate(): Promise<Buffer> {
  const existing = await db().sealedKey.findUnique({ where: { name: NAME } });
  if (existing) return open(keyring(), envelopeSchema.parse(existing.envelope), CONTEXT);
  await db().sealedKey.createMany({
    data: [{ name: NAME, envelope: seal(keyring(), randomBytes(32), CONTEXT) as object }],
    skipDuplicates: true,
  });
  const stored = await db().sealedKey.findUniqueOrThrow({ where: { name: NAME } });
  return open(keyring(), envelopeSchema.parse(stored.envelope), CONTEXT);
}

function digestKey(): Promise<Buffer> {
  const cached = globalForKey.archipelagoSecretDigestKey;
  if (cached) return cached;
  const loading = loadOrCreate();
  globalForKey.archipelagoSecretDigestKey = loading;
  loading.catch(() => {
    if (globalForKey.archipelagoSecretDigestKey === loading) globalForKey.archipelagoSecretDigestKey = undefined;
  });
  return loading;
}

/** HMAC-SHA256 (hex) of a secret value under the digest key; `label` keeps digests of different uses apart. */
export async function secretDigest(label: string, value: Buffer | string): Promise<string> {
  return createHmac("sha256", await digestKey())
    .update(`${label}\u0000`)
    .update(value)
    .digest("hex");
}

/** Test seam: a fresh database has another key. */
export function forgetSecretDigestKey(): void {
  globalForKey.archipelagoSecretDigestKey = undefined;
}

/** For master-key rotation: re-wraps the sealed digest key. */
export async function rewrapSecretDigestKey(): Promise<number> {
  const existing = await db().sealedKey.findUnique({ where: { name: NAME } });
  if (!existing) return 0;
  const envelope = envelopeSchema.parse(existing.envelope);
  const next = rewrap(keyring(), envelope, CONTEXT);
  if (next === envelope) return 0;
  await db().sealedKey.update({ where: { name: NAME }, data: { envelope: next as object } });
  return 1;
}
