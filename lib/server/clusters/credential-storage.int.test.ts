import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import { resetEnvForTests } from "@/lib/server/config/env";
import { envelopeSchema, rewrap } from "@/lib/server/crypto/envelope";
import { generateKey, readKeyFile, readKeyFileParts, writeKeyFile } from "@/lib/server/crypto/keyring";
import { keyring, resetKeyring } from "@/lib/server/crypto/master-keyring";
import { rotateMasterKey } from "@/lib/server/clusters/rotate-keys";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { checkRegisteredCluster } from "./check-connection";
import { transportFor } from "./connection";
import { registerCluster } from "./register";
import { getCluster, listClusters } from "./queries";

let tb: Testbed;
let keyDir: string;
const originalKey = process.env.ARCHIPELAGO_MASTER_KEY;

beforeAll(async () => {
  tb = await testbed();
  keyDir = await mkdtemp(path.join(os.tmpdir(), "archipelago-keys-"));
});
afterAll(async () => {
  await rm(keyDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await resetDatabase();
  forgetAllTransports();
});
afterEach(() => {
  process.env.ARCHIPELAGO_MASTER_KEY = originalKey;
  delete process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS;
  delete process.env.ARCHIPELAGO_MASTER_KEY_FILE;
  resetEnvForTests();
  resetKeyring();
});

const useEnvKeys = (current: string, previous?: string) => {
  process.env.ARCHIPELAGO_MASTER_KEY = current;
  if (previous) process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS = previous;
  else delete process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS;
  resetEnvForTests();
  resetKeyring();
  forgetAllTransports();
};

describe("credentials at rest", () => {
  it("are stored only as an envelope: no token, no key material in the row or the API view", async () => {
    const token = registrationFor(tb, "testbed-1", "x").credential;
    const cluster = await registerCluster(registrationFor(tb, "testbed-1", "sealed"));
    const certCluster = await registerCluster(registrationFor(tb, "testbed-1-cert", "sealed-cert"));
    const rows = await db().$queryRaw<Array<{ row: string }>>`SELECT row_to_json(c)::text AS row FROM clusters c`;
    const secretKey = (registrationFor(tb, "testbed-1-cert", "y").credential as { key: string }).key;
    for (const { row } of rows) {
      expect(row).not.toContain((token as { token: string }).token);
      expect(row).not.toContain(secretKey.split("\n")[1]!);
    }
    const views = JSON.stringify([
      await getCluster(cluster.id),
      await getCluster(certCluster.id),
      await listClusters({ page: 1, pageSize: 100 }),
    ]);
    expect(views).not.toContain((token as { token: string }).token);
    expect(views).not.toContain(secretKey.split("\n")[1]!);
    expect(views).not.toMatch(/credentialEnvelope|PRIVATE KEY/);
  });

  it("a ciphertext swapped between two rows fails to decrypt", async () => {
    const a = await registerCluster(registrationFor(tb, "testbed-1", "row-a"));
    const b = await registerCluster(registrationFor(tb, "testbed-2", "row-b"));
    await db().$executeRaw`
      UPDATE clusters SET credential_envelope = CASE id WHEN ${a.id}::uuid THEN (SELECT credential_envelope FROM clusters WHERE id = ${b.id}::uuid)
                                                        ELSE (SELECT credential_envelope FROM clusters WHERE id = ${a.id}::uuid) END
      WHERE id IN (${a.id}::uuid, ${b.id}::uuid)`;
    // Issue 20: the cluster's problem (503 naming it), never a 500.
    await expect(transportFor(a.id)).rejects.toMatchObject({
      status: 503,
      code: "credential_unavailable",
      message: expect.stringMatching(/cluster row-a does not open with the current keys; an admin can see which key/),
      options: { keyIdMessage: expect.stringMatching(/cluster row-a does not open under master key [0-9a-f]{16}/) },
    });
    await expect(transportFor(b.id)).rejects.toMatchObject({ status: 503, code: "credential_unavailable" });
  });

  it("a different master key cannot decrypt", async () => {
    const cluster = await registerCluster(registrationFor(tb, "testbed-1", "other-key"));
    const sealedUnder = keyring().current.id;
    useEnvKeys(generateKey());
    await expect(transportFor(cluster.id)).rejects.toMatchObject({
      status: 503,
      code: "credential_unavailable",
      options: { keyIdMessage: expect.stringContaining(`cluster other-key is sealed under master key ${sealedUnder}`) },
    });
  });
});

describe("master key rotation", () => {
  it("from environment keys: every cluster stays connectable and moves to the new key", async () => {
    const oldKey = generateKey();
    useEnvKeys(oldKey);
    const clusters = [
      await registerCluster(registrationFor(tb, "testbed-1", "rot-1")),
      await registerCluster(registrationFor(tb, "testbed-2-cert", "rot-2")),
    ];
    const newKey = generateKey();
    useEnvKeys(newKey, oldKey);
    const report = await rotateMasterKey();
    expect(report.rewrapped).toBe(2);
    useEnvKeys(newKey); // the old key is gone
    for (const cluster of clusters) expect(await checkRegisteredCluster(cluster.id)).toMatchObject({ ok: true });
    const kids = await db().$queryRaw<Array<{ kid: string }>>`SELECT credential_envelope->>'kid' AS kid FROM clusters`;
    expect(new Set(kids.map((row) => row.kid))).toEqual(new Set([keyring().current.id]));
  });

  it("from a key file: old key kept until done, then open-only until the next rotation; re-running is harmless", async () => {
    const file = path.join(keyDir, "master.key");
    writeKeyFile(file, [generateKey()]);
    delete process.env.ARCHIPELAGO_MASTER_KEY;
    process.env.ARCHIPELAGO_MASTER_KEY_FILE = file;
    resetEnvForTests();
    resetKeyring();
    const before = keyring().current.id;
    const cluster = await registerCluster(registrationFor(tb, "testbed-1", "file-rot"));

    const report = await rotateMasterKey();
    expect(report.retiredKeyIds).toEqual([before]);
    expect(report.rewrapped).toBe(1);
    const parts = readKeyFileParts(file);
    expect(parts.inUse).toHaveLength(1);
    expect(parts.inUse[0]!.id).not.toBe(before);
    expect(parts.retired.map((key) => key.id)).toEqual([before]);
    expect(keyring().current.id).toBe(parts.inUse[0]!.id);
    forgetAllTransports();
    expect(await checkRegisteredCluster(cluster.id)).toMatchObject({ ok: true });

    // The next rotation drops the key retired by the one before (nothing is under it).
    const again = await rotateMasterKey();
    expect(again.rewrapped).toBe(1);
    expect(again.droppedKeyIds).toEqual([before]);
    expect(again.retiredKeyIds).toEqual([parts.inUse[0]!.id]);
    expect(readKeyFile(file).map((key) => key.id)).toEqual([again.newKeyId, parts.inUse[0]!.id]);
    forgetAllTransports();
    expect(await checkRegisteredCluster(cluster.id)).toMatchObject({ ok: true });
  });

  it("a record sealed under the old key after the last count still opens; the next rotation re-wraps it", async () => {
    const file = path.join(keyDir, "late.key");
    writeKeyFile(file, [generateKey()]);
    delete process.env.ARCHIPELAGO_MASTER_KEY;
    process.env.ARCHIPELAGO_MASTER_KEY_FILE = file;
    resetEnvForTests();
    resetKeyring();
    const oldRing = keyring();
    const cluster = await registerCluster(registrationFor(tb, "testbed-1", "late-seal"));
    // What an instance that has not yet seen the new key writes: the credential sealed under the old key.
    const sealUnderOldKey = async () => {
      const row = await db().$queryRaw<Array<{ envelope: unknown }>>`
        SELECT credential_envelope AS envelope FROM clusters WHERE id = ${cluster.id}::uuid`;
      const underOld = rewrap(
        { ...oldRing, all: [oldRing.current, ...keyring().all] },
        envelopeSchema.parse(row[0]!.envelope),
        `cluster:${cluster.id}:credential`,
      );
      await db().$executeRaw`
        UPDATE clusters SET credential_envelope = ${JSON.stringify(underOld)}::jsonb WHERE id = ${cluster.id}::uuid`;
    };
    const kidNow = async () =>
      (
        await db().$queryRaw<Array<{ kid: string }>>`
          SELECT credential_envelope->>'kid' AS kid FROM clusters WHERE id = ${cluster.id}::uuid`
      )[0]!.kid;

    const report = await rotateMasterKey({ afterCount: sealUnderOldKey });
    expect(report.underRetiredKeys).toBe(0);
    expect(await kidNow()).toBe(oldRing.current.id);
    expect(readKeyFile(file).map((key) => key.id)).toEqual([report.newKeyId, oldRing.current.id]);
    forgetAllTransports();
    expect(await checkRegisteredCluster(cluster.id)).toMatchObject({ ok: true });

    // Written between the last re-wrap pass and the count: another round re-wraps it.
    let injected = false;
    const next = await rotateMasterKey({
      afterRewrap: async () => {
        if (injected) return;
        injected = true;
        await sealUnderOldKey();
      },
    });
    expect(next.underRetiredKeys).toBe(0);
    expect(await kidNow()).toBe(next.newKeyId);
    forgetAllTransports();
    expect(await checkRegisteredCluster(cluster.id)).toMatchObject({ ok: true });
  });
});
