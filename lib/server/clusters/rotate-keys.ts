import "server-only";
import { rewrapAuditChainKey } from "@/lib/server/audit/chain-key";
import { db } from "@/lib/server/db/client";
import { rewrapSsoClientSecrets } from "@/lib/server/sso/rotate-secrets";
import { rewrapSecretDigestKey } from "@/lib/server/secrets/digest-key";
import { rewrapSecretParams } from "@/lib/server/secrets/sealed-params";
import { rewrapCredential } from "./credential-vault";
import { envelopeSchema } from "@/lib/server/crypto/envelope";
import { announceKeyringChange } from "@/lib/server/db/keyring-signal";
import { generateKey, readKeyFile, writeKeyFile } from "@/lib/server/crypto/keyring";
import { keyring, reloadKeyring } from "@/lib/server/crypto/master-keyring";

export interface RotationReport {
  newKeyId: string;
  rewrapped: number;
  alreadyCurrent: number;
  retiredKeyIds: string[];
}

/**
 * Re-wraps every stored data key (credentials, the audit chain key, secret parameters and their
 * digest key) under the current master key. Payloads are not touched, so a credential or secret is never in plaintext outside memory during rotation.
 *
 * File keyrings (ARCHIPELAGO_MASTER_KEY_FILE or the embedded default): a new key is put in
 * front of the old ones, records are re-wrapped, then the old keys are dropped. Until that
 * last step the old keys still decrypt, and running servers notice the file change at once.
 * An interrupted rotation is finished by running it again.
 *
 * Environment keyrings: set the new key as ARCHIPELAGO_MASTER_KEY and the old one in
 * ARCHIPELAGO_MASTER_KEY_PREVIOUS (on every instance), run this, then remove the old key.
 */
export async function rotateMasterKey(): Promise<RotationReport> {
  let ring = keyring();
  let retiredKeyIds: string[] = [];
  if (ring.source.kind === "file") {
    const file = ring.source.path;
    const existing = readKeyFile(file);
    if (existing.length === 1) {
      // Start a rotation: new current key, old key kept for decryption.
      writeKeyFile(file, [generateKey(), existing[0]!.key.toString("base64")]);
    }
    ring = reloadKeyring("keys:rotate started");
    retiredKeyIds = ring.all.slice(1).map((key) => key.id);
  }
  // Every instance reads its key source again now (they would also on meeting the new key id).
  await announceKeyringChange(ring.current.id);

  let rewrapped = 0;
  let alreadyCurrent = 0;
  // Repeat until a pass changes nothing: a credential replaced during the pass may have
  // been sealed by a server that had not yet seen the new key.
  for (let pass = 0; pass < 5; pass += 1) {
    let changed = 0;
    const rows = await db().cluster.findMany({ select: { id: true, credentialEnvelope: true } });
    for (const row of rows) {
      const envelope = envelopeSchema.parse(row.credentialEnvelope);
      if (envelope.kid === ring.current.id) {
        if (pass === 0) alreadyCurrent += 1;
        continue;
      }
      const next = rewrapCredential(row.id, envelope);
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
  // So are the single sign-on providers' client secrets.
  const secrets = await rewrapSsoClientSecrets(ring.current.id);
  rewrapped += secrets.rewrapped;
  alreadyCurrent += secrets.alreadyCurrent;
  // So are secret parameters (each with its own data key) and the key their digests are made with.
  rewrapped += await rewrapSecretDigestKey();
  for (let pass = 0; pass < 5; pass += 1) {
    const secrets = await rewrapSecretParams();
    rewrapped += secrets.rewrapped;
    if (pass === 0) alreadyCurrent += secrets.alreadyCurrent;
    if (secrets.rewrapped === 0) break;
  }

  if (ring.source.kind === "file") {
    writeKeyFile(ring.source.path, [ring.current.key.toString("base64")]);
    reloadKeyring("keys:rotate finished");
    await announceKeyringChange(ring.current.id);
  }
  return { newKeyId: ring.current.id, rewrapped, alreadyCurrent, retiredKeyIds };
}
