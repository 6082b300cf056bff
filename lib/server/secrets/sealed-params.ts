import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { envelopeSchema, rewrap, seal, type Envelope } from "@/lib/server/crypto/envelope";
import { keyring, openSealed } from "@/lib/server/crypto/master-keyring";
import { db } from "@/lib/server/db/client";
import { secretDigest } from "./digest-key";

/**
 * Sealed secret parameters. A value is sealed with its own data key (envelope encryption, as
 * cluster credentials are); the associated data binds it to its release, parameter path and
 * row, so a ciphertext moved to another release or path does not open. Parameter columns hold
 * a marker `{ "$secret": <row id> }` instead of the value, so copies of parameters (release
 * state, rollback state, rollbacks) copy the marker, never the value. Nothing here returns a
 * value to a caller outside the apply path: `openSecretParams` is called only by code that
 * renders for a cluster (apply, dry-run).
 */

export const secretMarkerSchema = z.object({ $secret: z.uuid() }).strict();
export type SecretMarker = z.infer<typeof secretMarkerSchema>;
export const isSecretMarker = (value: unknown): value is SecretMarker => secretMarkerSchema.safeParse(value).success;

const context = (releaseId: string, path: string, id: string) => `secret-param:${releaseId}:${path}:${id}`;
const DIGEST_LABEL = "secret-param";

export interface SealedSecretParam {
  id: string;
  releaseId: string;
  path: string;
  envelope: Envelope;
  digest: string;
  setById: string | null;
  setByEmail: string;
}

/** Seals a new value for a release's parameter (the row is written by the caller, in its transaction). */
export async function sealSecretParam(input: {
  releaseId: string;
  path: string;
  value: string;
  setBy: { id: string | null; email: string };
}): Promise<SealedSecretParam> {
  const id = randomUUID();
  const plaintext = Buffer.from(input.value, "utf8");
  try {
    return {
      id,
      releaseId: input.releaseId,
      path: input.path,
      envelope: seal(keyring(), plaintext, context(input.releaseId, input.path, id)),
      digest: await secretDigest(DIGEST_LABEL, plaintext),
      setById: input.setBy.id,
      setByEmail: input.setBy.email,
    };
  } finally {
    plaintext.fill(0);
  }
}

export class SecretParamMissingError extends Error {
  override name = "SecretParamMissingError";
}

/**
 * Opens the sealed values behind markers, for rendering on the way to a cluster. Only rows of
 * this release at the marker's own path open (a marker copied elsewhere fails).
 */
export async function openSecretParams(releaseId: string, markers: Map<string, string>): Promise<Map<string, string>> {
  if (markers.size === 0) return new Map();
  const rows = await db().secretParam.findMany({
    where: { id: { in: [...new Set(markers.values())] }, releaseId },
    select: { id: true, path: true, envelope: true },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const values = new Map<string, string>();
  for (const [path, id] of markers) {
    const row = byId.get(id);
    if (!row || row.path !== path)
      throw new SecretParamMissingError(`The sealed value of secret parameter ${path} is missing`);
    const plaintext = openSealed(envelopeSchema.parse(row.envelope), context(releaseId, path, id));
    values.set(path, plaintext.toString("utf8"));
    plaintext.fill(0);
  }
  return values;
}

/** What may be said about sealed values: who set them and when, and a keyed digest (never shown as is). */
export async function secretParamFacts(ids: string[]) {
  if (ids.length === 0) return new Map<string, { path: string; digest: string; setByEmail: string; setAt: Date }>();
  const rows = await db().secretParam.findMany({
    where: { id: { in: [...new Set(ids)] } },
    select: { id: true, path: true, digest: true, setByEmail: true, createdAt: true },
  });
  return new Map(
    rows.map((row) => [
      row.id,
      { path: row.path, digest: row.digest, setByEmail: row.setByEmail, setAt: row.createdAt },
    ]),
  );
}

/** For master-key rotation: re-wraps every secret parameter's data key; values are never opened. */
export async function rewrapSecretParams(): Promise<{ rewrapped: number; alreadyCurrent: number }> {
  let rewrapped = 0;
  let alreadyCurrent = 0;
  const ring = keyring();
  let cursor: string | undefined;
  for (;;) {
    const rows = await db().secretParam.findMany({
      select: { id: true, releaseId: true, path: true, envelope: true },
      orderBy: { id: "asc" },
      take: 500,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      const envelope = envelopeSchema.parse(row.envelope);
      if (envelope.kid === ring.current.id) {
        alreadyCurrent += 1;
        continue;
      }
      const next = rewrap(ring, envelope, context(row.releaseId, row.path, row.id));
      await db().secretParam.update({ where: { id: row.id }, data: { envelope: next as object } });
      rewrapped += 1;
    }
    cursor = rows.at(-1)!.id;
  }
  return { rewrapped, alreadyCurrent };
}
