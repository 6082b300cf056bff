import "server-only";
import { rewrapAuditChainKey } from "@/lib/server/audit/chain-key";
import { db } from "@/lib/server/db/client";
import { rewrapSsoClientSecrets, rewrapSsoLoginAttempts } from "@/lib/server/sso/rotate-secrets";
import { rewrapSecretDigestKey } from "@/lib/server/secrets/digest-key";
import { rewrapSecretParams } from "@/lib/server/secrets/sealed-params";
import { rewrapCredential } from "./credential-vault";
import { DecryptionError, envelopeSchema } from "@/lib/server/crypto/envelope";
import { announceKeyringChange } from "@/lib/server/db/keyring-signal";
import { generateKey, readKeyFile, writeKeyFile } from "@/lib/server/crypto/keyring";
import { keyring, reloadKeyring } from "@/lib/server/crypto/master-keyring";

export interface RotationReport {
  newKeyId: string;
  rewrapped: number;
  alreadyCurrent: number;
  retiredKeyIds: string[];
  /** Records still sealed under another key at the end (0 unless instances lack the new key). */
  notCurrent: number;
}

/**
 * Re-wraps every stored data key (credentials, the audit chain key, SSO client secrets and
 * sign-ins in progress, secret parameters and their digest key) under the current master key.
 * Payloads are not touched, so a credential or secret is never in plaintext outside memory.
 *
 * File keyrings (ARCHIPELAGO_MASTER_KEY_FILE or the embedded default): a new key is put in
 * front of the old ones, records are re-wrapped, then the old keys are dropped. Each change of
 * the file is announced over Postgres (db/keyring-signal.ts) and every instance also re-reads
 * the file when it changes, so running instances open with either key during the rotation and
 * seal with the new one from its start. A record an instance sealed just before it saw the new
 * key and wrote just after the last pass is found after the drop: the old keys are put back,
 * the record re-wrapped, and the old keys dropped again. An interrupted rotation is finished by
 * running it again.
 *
 * Environment keyrings: set the new key as ARCHIPELAGO_MASTER_KEY and the old one in
 * ARCHIPELAGO_MASTER_KEY_PREVIOUS (on every instance), run this, then remove the old key.
 */
export async function rotateMasterKey(): Promise<RotationReport> {
  let ring = keyring();
  let retired: string[] = [];
  if (ring.source.kind === "file") {
    const existing = readKeyFile(ring.source.path);
    // Start a rotation: new current key, old key kept for decryption.
    if (existing.length === 1) writeKeyFile(ring.source.path, [generateKey(), existing[0]!.key.toString("base64")]);
    ring = reloadKeyring("keys:rotate started");
    retired = ring.all.slice(1).map((key) => key.key.toString("base64"));
  }
  const retiredKeyIds = ring.all.slice(1).map((key) => key.id);
  const currentKey = ring.current.key.toString("base64");
  // Every instance reads its key source again now (they would also on meeting the new key id).
  await announceKeyringChange(ring.current.id);

  const first = await rewrapAll(ring.current.id);
  let rewrapped = first.rewrapped;
  let notCurrent = await countNotCurrent(ring.current.id);
  if (ring.source.kind === "file") {
    const file = ring.source.path;
    for (let round = 0; ; round += 1) {
      writeKeyFile(file, [currentKey]);
      reloadKeyring("keys:rotate finished");
      await announceKeyringChange(ring.current.id);
      notCurrent = await countNotCurrent(ring.current.id);
      const late = retiredKeyIds.length ? await countNotCurrent(ring.current.id, retiredKeyIds) : 0;
      if (late === 0 || round === 3) break;
      // Late seals under an old key: bring the old keys back, re-wrap them, retire them again.
      writeKeyFile(file, [currentKey, ...retired]);
      reloadKeyring("keys:rotate re-wrapping late records");
      rewrapped += (await rewrapAll(ring.current.id)).rewrapped;
    }
  }
  return { newKeyId: ring.current.id, rewrapped, alreadyCurrent: first.alreadyCurrent, retiredKeyIds, notCurrent };
}

async function rewrapAll(currentKeyId: string): Promise<{ rewrapped: number; alreadyCurrent: number }> {
  let rewrapped = 0;
  let alreadyCurrent = 0;
  // Repeat until a pass changes nothing: a credential replaced during the pass may have
  // been sealed by a server that had not yet seen the new key.
  for (let pass = 0; pass < 5; pass += 1) {
    let changed = 0;
    const rows = await db().cluster.findMany({ select: { id: true, credentialEnvelope: true } });
    for (const row of rows) {
      const envelope = envelopeSchema.parse(row.credentialEnvelope);
      if (envelope.kid === currentKeyId) {
        if (pass === 0) alreadyCurrent += 1;
        continue;
      }
      let next;
      try {
        next = rewrapCredential(row.id, envelope);
      } catch (error) {
        // Sealed under a key this keyring lacks: left as it is (it answers 503 naming the key) and
        // counted in the report, rather than stopping the rotation of everything else.
        if (error instanceof DecryptionError) continue;
        throw error;
      }
      // Compare-and-set on the old envelope so a concurrent credential replacement wins.
      const updated = await db().$executeRaw`
        UPDATE clusters SET credential_envelope = ${JSON.stringify(next)}::jsonb
        WHERE id = ${row.id}::uuid AND credential_envelope = ${JSON.stringify(row.credentialEnvelope)}::jsonb`;
      changed += updated;
    }
    rewrapped += changed;
    if (changed === 0) break;
  }

  // The audit chain's key is sealed the same way; the key itself never changes.
  rewrapped += await rewrapAuditChainKey();
  // So are the single sign-on providers' client secrets, and sign-ins in progress.
  const secrets = await rewrapSsoClientSecrets(currentKeyId);
  rewrapped += secrets.rewrapped;
  alreadyCurrent += secrets.alreadyCurrent;
  rewrapped += await rewrapSsoLoginAttempts(currentKeyId);
  // So are secret parameters (each with its own data key) and the key their digests are made with.
  rewrapped += await rewrapSecretDigestKey();
  for (let pass = 0; pass < 5; pass += 1) {
    const params = await rewrapSecretParams();
    rewrapped += params.rewrapped;
    if (pass === 0) alreadyCurrent += params.alreadyCurrent;
    if (params.rewrapped === 0) break;
  }
  return { rewrapped, alreadyCurrent };
}

/** Sealed records not under the current key (or only those under the given keys), over every table that holds one. */
async function countNotCurrent(currentKeyId: string, underKeyIds: string[] | null = null): Promise<number> {
  const other = (kid: string | null) =>
    kid !== null && kid !== currentKeyId && (!underKeyIds || underKeyIds.includes(kid));
  const kids = await db().$queryRaw<Array<{ kid: string | null }>>`
    SELECT credential_envelope->>'kid' AS kid FROM clusters
    UNION ALL SELECT client_secret_envelope->>'kid' FROM sso_providers
    UNION ALL SELECT sealed->>'kid' FROM sso_login_attempts WHERE expires_at > now()
    UNION ALL SELECT envelope->>'kid' FROM secret_params
    UNION ALL SELECT envelope->>'kid' FROM sealed_keys`;
  return kids.filter((row) => other(row.kid)).length;
}
