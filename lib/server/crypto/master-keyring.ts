import "server-only";
import { statSync } from "node:fs";
import path from "node:path";
import { dataDir, env } from "@/lib/server/config/env";
import { DecryptionError, open, type Envelope } from "./envelope";
import { loadKeyring, type Keyring } from "./keyring";

interface Cached {
  keyring: Keyring;
  /** For file keyrings: the file's mtime when read, so a rotation is picked up at once. */
  mtimeMs: number | null;
}

const globalForKeys = globalThis as unknown as { archipelagoKeyring?: Cached };

function load(): Cached {
  const config = env();
  const keyring = loadKeyring({
    envKey: config.ARCHIPELAGO_MASTER_KEY,
    envPrevious: config.ARCHIPELAGO_MASTER_KEY_PREVIOUS,
    keyFile: config.ARCHIPELAGO_MASTER_KEY_FILE,
    // Only the zero-setup embedded mode may invent a key: with a shared external database,
    // instances that each generated their own key would lock each other out.
    defaultFile: config.DATABASE_URL ? null : path.join(dataDir(), "master.key"),
  });
  return { keyring, mtimeMs: keyring.source.kind === "file" ? statSync(keyring.source.path).mtimeMs : null };
}

/** The process-wide keyring. File keyrings are re-read when the file changes (rotation). */
export function keyring(): Keyring {
  const cached = globalForKeys.archipelagoKeyring;
  if (cached && cached.keyring.source.kind === "file") {
    const mtimeMs = statSync(cached.keyring.source.path, { throwIfNoEntry: false })?.mtimeMs ?? null;
    if (mtimeMs !== null && mtimeMs !== cached.mtimeMs) return reloadKeyring();
  }
  globalForKeys.archipelagoKeyring ??= load();
  return globalForKeys.archipelagoKeyring.keyring;
}

export function reloadKeyring(): Keyring {
  globalForKeys.archipelagoKeyring = load();
  return globalForKeys.archipelagoKeyring.keyring;
}

/** Test seam and start-up helper: forget the cached keyring (e.g. after changing env). */
export function resetKeyring(): void {
  globalForKeys.archipelagoKeyring = undefined;
}

/**
 * Opens an envelope under the process keyring. A key id we do not know may mean that a
 * rotation (another process, or `keys:rotate`) added a key since we loaded ours: the keyring
 * is read again once before giving up.
 */
export function openSealed(envelope: Envelope, aad: string): Buffer {
  try {
    return open(keyring(), envelope, aad);
  } catch (error) {
    if (!(error instanceof DecryptionError) || keyring().all.some((key) => key.id === envelope.kid)) throw error;
    return open(reloadKeyring(), envelope, aad);
  }
}
