import "server-only";
import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with OWASP's minimum profile (m=19 MiB, t=2, p=1). The library's default
 * algorithm is argon2id; the parameters are spelled out so a library default change
 * cannot silently weaken new hashes.
 */
export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash so that an unknown email costs the same time as a
 * wrong password, and the two cannot be told apart.
 */
export async function burnPasswordCheck(password: string): Promise<false> {
  dummyHash ??= hashPassword("archipelago-timing-equaliser");
  await verifyPassword(await dummyHash, password);
  return false;
}
