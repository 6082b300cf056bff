import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * Master keys that wrap the per-record data keys. The first key is current (new records
 * are wrapped with it); the others still decrypt, which is what makes rotation safe.
 *
 * Sources, in order:
 *  1. ARCHIPELAGO_MASTER_KEY (+ ARCHIPELAGO_MASTER_KEY_PREVIOUS, comma-separated)
 *  2. ARCHIPELAGO_MASTER_KEY_FILE: one base64 key per line, current first; keys after the
 *     RETIRED_MARKER line were retired by the last rotation (open only, dropped by the next)
 *  3. the embedded default: <data dir>/master.key, generated on first use
 * Each key is 32 random bytes, base64-encoded (`openssl rand -base64 32`).
 */

export interface MasterKey {
  /** Short fingerprint stored beside each wrapped key, so we know which key to use. */
  id: string;
  key: Buffer;
}

export interface Keyring {
  current: MasterKey;
  all: MasterKey[];
  /** Where the keys came from; "file" keyrings can be rewritten by rotation. */
  source: { kind: "env" } | { kind: "file"; path: string; generated: boolean };
}

export class KeyConfigError extends Error {
  override name = "KeyConfigError";
}

export function keyId(key: Buffer): string {
  return createHash("sha256").update("archipelago-master-key").update(key).digest("hex").slice(0, 16);
}

export function parseKey(text: string, origin: string): MasterKey {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32 || key.toString("base64") !== text.trim()) {
    throw new KeyConfigError(
      `${origin} must be 32 random bytes in base64 (generate one with: openssl rand -base64 32)`,
    );
  }
  return { id: keyId(key), key };
}

export function generateKey(): string {
  return randomBytes(32).toString("base64");
}

export interface KeySourceConfig {
  envKey?: string;
  envPrevious?: string;
  keyFile?: string;
  /** Used only when neither variable is set; null forbids generating a key. */
  defaultFile: string | null;
}

export function loadKeyring(config: KeySourceConfig): Keyring {
  if (config.envKey) {
    const current = parseKey(config.envKey, "ARCHIPELAGO_MASTER_KEY");
    const previous = (config.envPrevious ?? "")
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part, index) => parseKey(part, `ARCHIPELAGO_MASTER_KEY_PREVIOUS[${index}]`));
    return { current, all: [current, ...previous], source: { kind: "env" } };
  }
  const file = config.keyFile ?? config.defaultFile;
  if (!file) {
    throw new KeyConfigError(
      "No master key configured. With an external DATABASE_URL, set ARCHIPELAGO_MASTER_KEY or ARCHIPELAGO_MASTER_KEY_FILE " +
        "(every instance must use the same key).",
    );
  }
  let generated = false;
  if (!existsSync(file)) {
    if (config.keyFile) throw new KeyConfigError(`ARCHIPELAGO_MASTER_KEY_FILE ${file} does not exist`);
    writeKeyFile(file, [generateKey()]);
    generated = true;
  }
  const keys = readKeyFile(file);
  return { current: keys[0]!, all: keys, source: { kind: "file", path: file, generated } };
}

/**
 * The comment line a finished rotation writes before the keys it retired. Those keys still
 * open (a record an instance sealed under one just after the rotation's last count is not
 * lost) but never seal, since only the first key does; the next rotation drops them.
 */
export const RETIRED_MARKER = "# retired: open only, dropped by the next rotation";

export function readKeyFile(file: string): MasterKey[] {
  const { inUse, retired } = readKeyFileParts(file);
  return [...inUse, ...retired];
}

/** The keys before the retired marker (the current one, and during a rotation the old ones) and after it. */
export function readKeyFileParts(file: string): { inUse: MasterKey[]; retired: MasterKey[] } {
  const inUse: MasterKey[] = [];
  const retired: MasterKey[] = [];
  let target = inUse;
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line === RETIRED_MARKER) target = retired;
      if (!line || line.startsWith("#")) return;
      target.push(parseKey(line, `${path.basename(file)} line ${index + 1}`));
    });
  if (inUse.length === 0) throw new KeyConfigError(`Master key file ${file} holds no key`);
  return { inUse, retired };
}

/**
 * Atomic replace, owner-only permissions: a half-written key file would lose every credential,
 * and running servers re-read the file whenever it changes. The new content is written to a
 * temporary file beside it and flushed to disk, then renamed over the old one (a reader sees
 * the old file or the new one, never a part), and the directory is flushed so the rename
 * survives a crash.
 */
export function writeKeyFile(file: string, keys: string[], retired: string[] = []): void {
  const temporary = `${file}.tmp-${process.pid}`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    const lines = retired.length ? [...keys, RETIRED_MARKER, ...retired] : keys;
    writeSync(fd, `${lines.join("\n")}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  const directory = openSync(path.dirname(file), "r");
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}
