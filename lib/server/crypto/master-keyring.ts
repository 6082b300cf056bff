import "server-only";
import { statSync } from "node:fs";
import path from "node:path";
import { dataDir, env } from "@/lib/server/config/env";
import { logger } from "@/lib/server/log/logger";
import { DecryptionError, open, type Envelope } from "./envelope";
import { loadKeyring, type Keyring, type KeySourceConfig } from "./keyring";

interface Cached {
  keyring: Keyring;
  /** For file keyrings: the file's identity when read (inode, size, mtime), so a rotation is picked up at once. */
  stamp: string | null;
  /** The stamp of a file that could not be read, so one bad file is reported once, not on every call. */
  failedStamp?: string | null;
}

/**
 * Shared through globalThis by every module graph of the process (the start script and Next's
 * server bundles). The key source is decided once, from the environment as the process found
 * it: the start script sets DATABASE_URL to the embedded database's address after the
 * decision, and deciding again later (as a reload inside the server bundle once did) would
 * take the embedded default for an external database and find "no master key" (issue 20).
 */
const globalForKeys = globalThis as unknown as {
  archipelagoKeyring?: Cached;
  archipelagoKeySource?: KeySourceConfig;
};

function keySource(): KeySourceConfig {
  globalForKeys.archipelagoKeySource ??= (() => {
    const config = env();
    return {
      envKey: config.ARCHIPELAGO_MASTER_KEY,
      envPrevious: config.ARCHIPELAGO_MASTER_KEY_PREVIOUS,
      keyFile: config.ARCHIPELAGO_MASTER_KEY_FILE,
      // Only the zero-setup embedded mode may invent a key: with a shared external database,
      // instances that each generated their own key would lock each other out.
      defaultFile: config.DATABASE_URL ? null : path.join(dataDir(), "master.key"),
    };
  })();
  return globalForKeys.archipelagoKeySource;
}

function fileStamp(file: string): string | null {
  const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
  return stat ? `${stat.ino}:${stat.size}:${stat.mtimeNs}` : null;
}

function load(loaded?: Keyring): Cached {
  // A reload reads the file it read before and never makes one: a key generated because the
  // embedded default's file went missing would seal new records under a key nobody backed up.
  const source = loaded?.source.kind === "file" ? { keyFile: loaded.source.path, defaultFile: null } : keySource();
  const keyring = loadKeyring(source);
  return { keyring, stamp: keyring.source.kind === "file" ? fileStamp(keyring.source.path) : null };
}

/**
 * Reads the key source again. Once a keyring was loaded, a source that cannot be read (a file
 * removed or holding no valid key) never leaves the process without keys: the keys loaded
 * before stay in use and the problem is logged once. Only the first load may fail (start-up).
 */
function refresh(reason: string): Keyring {
  const previous = globalForKeys.archipelagoKeyring;
  if (!previous) return (globalForKeys.archipelagoKeyring = load()).keyring;
  try {
    const next = load(previous.keyring);
    globalForKeys.archipelagoKeyring = next;
    const before = previous.keyring.all.map((key) => key.id).join(",");
    const after = next.keyring.all.map((key) => key.id).join(",");
    if (before !== after)
      logger.info({ reason, currentKeyId: next.keyring.current.id, keyIds: after }, "master keyring reloaded");
    return next.keyring;
  } catch (error) {
    const source = previous.keyring.source;
    const stamp = source.kind === "file" ? fileStamp(source.path) : null;
    if (previous.failedStamp !== stamp)
      logger.error(
        { reason, keyFile: source.kind === "file" ? source.path : undefined, problem: (error as Error).message },
        "the master key source could not be read; the keys loaded before stay in use",
      );
    previous.failedStamp = stamp;
    return previous.keyring;
  }
}

/** The process-wide keyring. File keyrings are re-read when the file changes (rotation). */
export function keyring(): Keyring {
  const cached = globalForKeys.archipelagoKeyring;
  if (!cached) return refresh("first use");
  const source = cached.keyring.source;
  if (source.kind === "file") {
    const stamp = fileStamp(source.path);
    if (stamp !== null && stamp !== cached.stamp && stamp !== cached.failedStamp) return refresh("key file changed");
  }
  return cached.keyring;
}

/** Reads the key source again (a rotation announced itself, or an unknown key id was met). */
export function reloadKeyring(reason = "reload requested"): Keyring {
  return refresh(reason);
}

/** Test seam and start-up helper: forget the cached keyring and key source (e.g. after changing env). */
export function resetKeyring(): void {
  globalForKeys.archipelagoKeyring = undefined;
  globalForKeys.archipelagoKeySource = undefined;
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
    return open(reloadKeyring(`unknown key id ${envelope.kid}`), envelope, aad);
  }
}
