import "server-only";
import { createHmac } from "node:crypto";
import { sealedKey } from "@/lib/server/db/sealed-keys";

/**
 * The key under which secret values are digested for comparison (a secret parameter's
 * fingerprint, a referenced Secret's drift). 32 random bytes made once and kept only sealed
 * under the master keyring (table sealed_keys, like the audit chain key): a digest stored in
 * the database cannot be tested against guesses without the master key. Rotation re-wraps it;
 * the key itself never changes, so stored digests stay comparable.
 */

const key = sealedKey("secret-digest");

/** HMAC-SHA256 (hex) of a secret value under the digest key; `label` keeps digests of different uses apart. */
export async function secretDigest(label: string, value: Buffer | string): Promise<string> {
  return createHmac("sha256", await key.get())
    .update(`${label}\u0000`)
    .update(value)
    .digest("hex");
}

/** Test seam: a fresh database has another key. */
export const forgetSecretDigestKey = (): void => key.forget();

/** For master-key rotation: re-wraps the sealed digest key. */
export const rewrapSecretDigestKey = (): Promise<number> => key.rewrap();
