import "server-only";
import { rewrapAuditChainKey } from "@/lib/server/audit/chain-key";
import { rewrapDeviceCookieKey } from "@/lib/server/auth/device-cookie";
import { db } from "@/lib/server/db/client";
import { rewrapSsoClientSecrets, rewrapSsoLoginAttempts } from "@/lib/server/sso/rotate-secrets";
import { rewrapSecretDigestKey } from "@/lib/server/secrets/digest-key";
import { rewrapSecretParams } from "@/lib/server/secrets/sealed-params";
import { rewrapWebhookSecrets } from "@/lib/server/secrets/webhook-secret";
import { rewrapCredential } from "./credential-vault";
import { DecryptionError, envelopeSchema } from "@/lib/server/crypto/envelope";
import { announceKeyringChange } from "@/lib/server/db/keyring-signal";
import { generateKey, readKeyFileParts, writeKeyFile } from "@/lib/server/crypto/keyring";
import { keyring, reloadKeyring } from "@/lib/server/crypto/master-keyring";

export interface RotationReport {
  newKeyId: string;
  rewrapped: number;
  alreadyCurrent: number;
  /** Keys that no longer seal; kept open-only in a key file until the next rotation. */
  retiredKeyIds: string[];
  /** Keys a key file held only open-only since the rotation before, dropped now (nothing was under them). */
  droppedKeyIds: string[];
  /** Records still sealed under another key at the end (0 unless instances lack the new key). */
  notCurrent: number;
  /** Of those, records under a retired key: the rotation is not finished and its old keys stay in use. */
  underRetiredKeys: number;
}

/** Test seams: run between the last re-wrap pass and the count, and after the count. */
export interface RotationHooks {
  afterRewrap?: () => Promise<void>;
  afterCount?: () => Promise<void>;
}

/**
 * Re-wraps every stored data key (credentials, the audit chain key, SSO client secrets and
 * sign-ins in progress, secret parameters and their digest key, webhook signing secrets) under the current master key.
 * Payloads are not touched, so a credential or secret is never in plaintext outside memory.
 *
 * File keyrings (ARCHIPELAGO_MASTER_KEY_FILE or the embedded default): a new key is put in
 * front of the old ones and records are re-wrapped. Each change of the file is announced over
 * Postgres (db/keyring-signal.ts) and every instance also re-reads the file when it changes, so
 * running instances open with either key during the rotation and seal with the new one from
 * its start. A record an instance sealed under an old key before it saw the new one is found
 * by a count after the last pass and re-wrapped in another round. The old keys are never
 * dropped while a count finds a record under them: the rotation then keeps them, reports, and
 * is finished by running it again. When the count finds nothing, the old keys are kept
 * open-only (after the retired marker: they never seal) until the next rotation, so a record
 * sealed under one after the count still opens; the next rotation re-wraps it, and drops them
 * only when its own count finds nothing under them.
 *
 * Environment keyrings: set the new key as ARCHIPELAGO_MASTER_KEY and the old one in
 * ARCHIPELAGO_MASTER_KEY_PREVIOUS (on every instance), run this, then remove the old key.
 */
export async function rotateMasterKey(hooks: RotationHooks = {}): Promise<RotationReport> {
  let ring = keyring();
  let droppable = new Set<string>();
  if (ring.source.kind === "file") {
    const { inUse, retired } = readKeyFileParts(ring.source.path);
    // One key in use: start a rotation (new current key; every old key opens during it). More
    // than one: an interrupted or unfinished rotation, continued under its current key.
    if (inUse.length === 1) {
      const old = [...inUse, ...retired].map((key) => key.key.toString("base64"));
      writeKeyFile(ring.source.path, [generateKey(), ...old]);
      droppable = new Set(retired.map((key) => key.id));
    }
    ring = reloadKeyring("keys:rotate started");
  }
  const oldKeys = ring.all.slice(1);
  const oldKeyIds = oldKeys.map((key) => key.id);
  const currentKeyId = ring.current.id;
  // Every instance reads its key source again now (they would also on meeting the new key id).
  await announceKeyringChange(currentKeyId);

  const first = await rewrapAll(currentKeyId);
  let rewrapped = first.rewrapped;
  let underRetiredKeys = 0;
  for (let round = 0; ; round += 1) {
    await hooks.afterRewrap?.();
    // Late seals under an old key (an instance that had not yet seen the new one): another round.
    underRetiredKeys = oldKeyIds.length ? await countNotCurrent(currentKeyId, oldKeyIds) : 0;
    if (underRetiredKeys === 0 || round === 3) break;
    rewrapped += (await rewrapAll(currentKeyId)).rewrapped;
  }
  const notCurrent = await countNotCurrent(currentKeyId);
  await hooks.afterCount?.();

  let droppedKeyIds: string[] = [];
  if (ring.source.kind === "file" && underRetiredKeys === 0) {
    // Nothing under the old keys: they stop being part of a rotation and become open-only; the
    // ones already open-only since the rotation before are dropped.
    const kept = oldKeys.filter((key) => !droppable.has(key.id));
    droppedKeyIds = oldKeyIds.filter((id) => droppable.has(id));
    writeKeyFile(
      ring.source.path,
      [ring.current.key.toString("base64")],
      kept.map((key) => key.key.toString("base64")),
    );
    reloadKeyring("keys:rotate finished");
    await announceKeyringChange(currentKeyId);
  }
  return {
    newKeyId: currentKeyId,
    rewrapped,
    alreadyCurrent: first.alreadyCurrent,
    retiredKeyIds: oldKeyIds.filter((id) => !droppedKeyIds.includes(id)),
    droppedKeyIds,
    notCurrent,
    underRetiredKeys,
  };
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
  // So is the key known-device cookies are signed with.
  rewrapped += await rewrapDeviceCookieKey();
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
  // So are the notification subscriptions' signing secrets.
  const webhooks = await rewrapWebhookSecrets();
  rewrapped += webhooks.rewrapped;
  alreadyCurrent += webhooks.alreadyCurrent;
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
    UNION ALL SELECT envelope->>'kid' FROM sealed_keys
    UNION ALL SELECT secret_envelope->>'kid' FROM notification_subscriptions`;
  return kids.filter((row) => other(row.kid)).length;
}
