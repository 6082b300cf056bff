import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Keyring, MasterKey } from "./keyring";

/**
 * Envelope encryption: each record gets a fresh 256-bit data key; the payload is sealed
 * with it (AES-256-GCM) and the data key is sealed with the master key. Both seals bind
 * `context` (e.g. the cluster id) as associated data, so a ciphertext copied to another
 * row does not decrypt. Rotating the master key re-wraps data keys only.
 */

export const envelopeSchema = z.object({
  v: z.literal(1),
  /** Master key fingerprint. */
  kid: z.string(),
  /** Wrapped data key: iv | tag | ciphertext, base64. */
  wk: z.string(),
  iv: z.string(),
  tag: z.string(),
  ct: z.string(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export class DecryptionError extends Error {
  override name = "DecryptionError";
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

function gcmSeal(key: Buffer, plaintext: Buffer, aad: string) {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function gcmOpen(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

const wrapAad = (context: string, kid: string) => `archipelago:data-key:${kid}:${context}`;
const dataAad = (context: string) => `archipelago:payload:${context}`;

function wrapDataKey(master: MasterKey, dataKey: Buffer, context: string): string {
  const sealed = gcmSeal(master.key, dataKey, wrapAad(context, master.id));
  return Buffer.concat([sealed.iv, sealed.tag, sealed.ciphertext]).toString("base64");
}

function unwrapDataKey(master: MasterKey, wrapped: string, context: string): Buffer {
  const bytes = Buffer.from(wrapped, "base64");
  return gcmOpen(
    master.key,
    bytes.subarray(0, IV_BYTES),
    bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    bytes.subarray(IV_BYTES + TAG_BYTES),
    wrapAad(context, master.id),
  );
}

export function seal(keyring: Keyring, plaintext: Buffer, context: string): Envelope {
  const dataKey = randomBytes(32);
  try {
    const sealed = gcmSeal(dataKey, plaintext, dataAad(context));
    return {
      v: 1,
      kid: keyring.current.id,
      wk: wrapDataKey(keyring.current, dataKey, context),
      iv: sealed.iv.toString("base64"),
      tag: sealed.tag.toString("base64"),
      ct: sealed.ciphertext.toString("base64"),
    };
  } finally {
    dataKey.fill(0);
  }
}

export function open(keyring: Keyring, envelope: Envelope, context: string): Buffer {
  const master = keyring.all.find((key) => key.id === envelope.kid);
  if (!master) throw new DecryptionError(`no master key with id ${envelope.kid} is configured`);
  let dataKey: Buffer | undefined;
  try {
    dataKey = unwrapDataKey(master, envelope.wk, context);
    return gcmOpen(
      dataKey,
      Buffer.from(envelope.iv, "base64"),
      Buffer.from(envelope.tag, "base64"),
      Buffer.from(envelope.ct, "base64"),
      dataAad(context),
    );
  } catch {
    // Deliberately vague: wrong row, wrong key and tampering look the same from here.
    throw new DecryptionError("ciphertext does not decrypt for this record");
  } finally {
    dataKey?.fill(0);
  }
}

/** Re-wraps the data key under the keyring's current master key; the payload is untouched. */
export function rewrap(keyring: Keyring, envelope: Envelope, context: string): Envelope {
  if (envelope.kid === keyring.current.id) return envelope;
  const master = keyring.all.find((key) => key.id === envelope.kid);
  if (!master) throw new DecryptionError(`no master key with id ${envelope.kid} is configured`);
  let dataKey: Buffer | undefined;
  try {
    dataKey = unwrapDataKey(master, envelope.wk, context);
    return { ...envelope, kid: keyring.current.id, wk: wrapDataKey(keyring.current, dataKey, context) };
  } catch {
    throw new DecryptionError("data key does not unwrap for this record");
  } finally {
    dataKey?.fill(0);
  }
}
