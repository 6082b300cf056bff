import "server-only";
import { sealedKey } from "@/lib/server/db/sealed-keys";

/**
 * The audit chain's HMAC key: 32 random bytes made once, stored only sealed under the
 * master keyring (the same envelope encryption as cluster credentials). The database
 * holds the sealed form, so someone with full access to it (a superuser) cannot compute
 * a valid chain after editing rows: that needs the master key, which is not in the
 * database. Master-key rotation re-wraps it; the key itself never changes, so every row
 * stays verifiable.
 */

const key = sealedKey("audit-chain");

/** The chain key, read (or made) once per process. */
export const auditChainKey = (): Promise<Buffer> => key.get();

/** Test seam: forget the cached key (a fresh database has another one). */
export const forgetAuditChainKey = (): void => key.forget();

/** For master-key rotation: re-wraps the sealed chain key under the current master key. */
export const rewrapAuditChainKey = (): Promise<number> => key.rewrap();
