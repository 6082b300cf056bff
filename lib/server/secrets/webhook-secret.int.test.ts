import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rotateMasterKey } from "@/lib/server/clusters/rotate-keys";
import { resetEnvForTests } from "@/lib/server/config/env";
import { generateKey } from "@/lib/server/crypto/keyring";
import { keyring, resetKeyring } from "@/lib/server/crypto/master-keyring";
import { db } from "@/lib/server/db/client";
import { resetDatabase } from "@/lib/testing/reset-database";
import { newWebhookSecret, openWebhookSecret } from "./webhook-secret";

const originalKey = process.env.ARCHIPELAGO_MASTER_KEY;

function useEnvKeys(current: string, previous?: string) {
  process.env.ARCHIPELAGO_MASTER_KEY = current;
  if (previous) process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS = previous;
  else delete process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS;
  resetEnvForTests();
  resetKeyring();
}

async function subscription() {
  const id = randomUUID();
  const { secret, envelope } = newWebhookSecret(id);
  await db().notificationSubscription.create({
    data: {
      id,
      name: "hook",
      url: "http://127.0.0.1:9/",
      eventTypes: ["drift.detected"],
      secretEnvelope: envelope as object,
      createdByEmail: "sre@example.com",
    },
  });
  return { id, secret };
}

const sealedOf = async (id: string) =>
  (await db().notificationSubscription.findUniqueOrThrow({ where: { id }, select: { secretEnvelope: true } }))
    .secretEnvelope;

beforeEach(async () => {
  await resetDatabase();
});
afterEach(() => {
  process.env.ARCHIPELAGO_MASTER_KEY = originalKey;
  delete process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS;
  resetEnvForTests();
  resetKeyring();
});

describe("webhook signing secrets at rest", () => {
  it("are sealed, bound to their row, and left out of every query by default", async () => {
    const { id, secret } = await subscription();
    const raw = await db().$queryRaw<
      Array<{ e: string }>
    >`SELECT secret_envelope::text AS e FROM notification_subscriptions`;
    expect(raw[0]!.e).not.toContain(secret.slice(6));
    expect(JSON.stringify(await db().notificationSubscription.findMany())).not.toContain("secretEnvelope");
    expect(openWebhookSecret(id, await sealedOf(id)).toString("utf8")).toBe(secret);
    expect(() => openWebhookSecret(randomUUID(), JSON.parse(raw[0]!.e))).toThrow();
  });

  it("are re-wrapped by npm run keys:rotate and open with the new key alone", async () => {
    const oldKey = generateKey();
    useEnvKeys(oldKey);
    const { id, secret } = await subscription();
    const newKey = generateKey();
    useEnvKeys(newKey, oldKey);
    const report = await rotateMasterKey();
    expect(report.notCurrent).toBe(0);
    useEnvKeys(newKey);
    const sealed = await sealedOf(id);
    expect((sealed as { kid: string }).kid).toBe(keyring().current.id);
    expect(openWebhookSecret(id, sealed).toString("utf8")).toBe(secret);
  });
});
