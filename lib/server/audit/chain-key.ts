import "server-only";
import { randomBytes } from "node:crypto";
import { envelopeSchema, open, rewrap, seal } from "@/lib/server/crypto/envelope";
import { keyring } from "@/lib/server/crypto/master-keyring";
import { db } from "@/lib/server/db/client";

/**
 * The audit chain's HMAC key: 32 random bytes made once, stored only sealed under the
 * master keyring (the same envelope encryption as cluster credentials). The database
 * holds the sealed form, so someone with full access to it (a superuser) cannot compute
 * a valid chain after editing rows: that needs the master key, which is not in the
 * database. Master-key rotation re-wraps it; the key itself never changes, so every row
 * stays verifiable.
 */

const NAME = "audit-chain";
const CONTEXT = "sealed-key:audit-chain";

const globalForKey = globalThis as unknown as { archipelagoAuditKey?: Promise<Buffer> };

async function loadOrCreate(): Promise<Buffer> {
  const existing = await db().sealedKey.findUnique({ where: { name: NAME } });
  if (existing) return open(keyring(), envelopeSchema.parse(existing.envelope), CONTEXT);
  const key = randomBytes(32);
  // Two instances starting together: the first insert wins and both use its key.
  await db().sealedKey.createMany({
    data: [{ name: NAME, envelope: seal(keyring(), key, CONTEXT) as object }],
    skipDuplicates: true,
  });
  const stored = await db().sealedKey.findUniqueOrThrow({ where: { name: NAME } });
  return open(keyring(), envelopeSchema.parse(stored.envelope), CONTEXT);
}

/** The chain key, read (or made) once per process. */
export function auditChainKey(): Promise<Buffer> {
  const cached = globalForKey.archipelagoAuditKey;
  if (cached) return cached;
  const loading = loadOrCreate();
  globalForKey.archipelagoAuditKey = loading;
  loading.catch(() => {
    if (globalForKey.archipelagoAuditKey === loading) globalForKey.archipelagoAuditKey = undefined;
  });
  return loading;
}

/** Test seam: forget the cached key (a fresh database has another one). */
export function forgetAuditChainKey(): void {
  globalForKey.archipelagoAuditKey = undefined;
}

/** For master-key rotation: re-wraps the sealed chain key under the current master key. */
export async function rewrapAuditChainKey(): Promise<number> {
  const existing = await db().sealedKey.findUnique({ where: { name: NAME } });
  if (!existing) return 0;
  const envelope = envelopeSchema.parse(existing.envelope);
  const next = rewrap(keyring(), envelope, CONTEXT);
  if (next === envelope) return 0;
  await db().sealedKey.update({ where: { name: NAME }, data: { envelope: next as object } });
  return 1;
}
