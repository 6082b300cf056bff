import "server-only";
import { randomBytes } from "node:crypto";
import { envelopeSchema, rewrap, seal } from "@/lib/server/crypto/envelope";
import { keyring, openSealed } from "@/lib/server/crypto/master-keyring";
import { db } from "./client";

/**
 * A named 32-byte random key made once and stored only sealed under the master keyring
 * (table `sealed_keys`), so the database alone never holds it: the audit chain key, the
 * secret-digest key. Read (or made) once per process; master-key rotation re-wraps it and
 * the key itself never changes, so what was computed with it stays verifiable.
 */
export interface SealedKey {
  get(): Promise<Buffer>;
  /** Test seam: forget the cached key (a fresh database has another one). */
  forget(): void;
  /** For master-key rotation: re-wraps the sealed key; 1 if it changed, else 0. */
  rewrap(): Promise<number>;
}

const cache = globalThis as unknown as { archipelagoSealedKeys?: Map<string, Promise<Buffer>> };

export function sealedKey(name: string): SealedKey {
  const context = `sealed-key:${name}`;
  const keys = (cache.archipelagoSealedKeys ??= new Map());

  async function loadOrCreate(): Promise<Buffer> {
    const existing = await db().sealedKey.findUnique({ where: { name } });
    if (existing) return openSealed(envelopeSchema.parse(existing.envelope), context);
    // Two instances starting together: the first insert wins and both use its key.
    await db().sealedKey.createMany({
      data: [{ name, envelope: seal(keyring(), randomBytes(32), context) as object }],
      skipDuplicates: true,
    });
    const stored = await db().sealedKey.findUniqueOrThrow({ where: { name } });
    return openSealed(envelopeSchema.parse(stored.envelope), context);
  }

  return {
    get() {
      const cached = keys.get(name);
      if (cached) return cached;
      const loading = loadOrCreate();
      keys.set(name, loading);
      loading.catch(() => {
        if (keys.get(name) === loading) keys.delete(name);
      });
      return loading;
    },
    forget() {
      keys.delete(name);
    },
    async rewrap() {
      const existing = await db().sealedKey.findUnique({ where: { name } });
      if (!existing) return 0;
      const envelope = envelopeSchema.parse(existing.envelope);
      const next = rewrap(keyring(), envelope, context);
      if (next === envelope) return 0;
      await db().sealedKey.update({ where: { name }, data: { envelope: next as object } });
      return 1;
    },
  };
}
