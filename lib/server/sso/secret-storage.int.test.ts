import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rotateMasterKey } from "@/lib/server/clusters/rotate-keys";
import { resetEnvForTests } from "@/lib/server/config/env";
import { generateKey } from "@/lib/server/crypto/keyring";
import { keyring, resetKeyring } from "@/lib/server/crypto/master-keyring";
import { db } from "@/lib/server/db/client";
import { createSsoProviderBodySchema } from "@/lib/schemas/sso";
import { resetDatabase } from "@/lib/testing/reset-database";
import { createSsoProvider, getSsoProvider, listSsoProviders } from "./providers";
import { openAttemptSecrets, openClientSecret, sealAttemptSecrets } from "./secret-vault";

const SECRET = "client-secret-that-must-stay-sealed";
const originalKey = process.env.ARCHIPELAGO_MASTER_KEY;

function useEnvKeys(current: string, previous?: string) {
  process.env.ARCHIPELAGO_MASTER_KEY = current;
  if (previous) process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS = previous;
  else delete process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS;
  resetEnvForTests();
  resetKeyring();
}

const create = () =>
  createSsoProvider(
    createSsoProviderBodySchema.parse({
      slug: "corp",
      displayName: "Corp",
      issuer: "https://login.corp.example",
      clientId: "archipelago",
      clientSecret: SECRET,
    }),
  );

beforeEach(async () => {
  await resetDatabase();
});
afterEach(() => {
  process.env.ARCHIPELAGO_MASTER_KEY = originalKey;
  delete process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS;
  resetEnvForTests();
  resetKeyring();
});

describe("client secrets at rest", () => {
  it("are sealed, bound to their row, and never part of a provider's view", async () => {
    const provider = await create();
    const raw = await db().$queryRaw<
      Array<{ envelope: string }>
    >`SELECT client_secret_envelope::text AS envelope FROM sso_providers`;
    expect(raw[0]!.envelope).not.toContain(SECRET);
    expect(JSON.stringify(await listSsoProviders())).not.toContain(SECRET);
    expect(JSON.stringify(await getSsoProvider(provider.id))).not.toContain("client_secret");
    const stored = await db().ssoProvider.findUniqueOrThrow({
      where: { id: provider.id },
      omit: { clientSecretEnvelope: false },
    });
    expect(openClientSecret(provider.id, stored.clientSecretEnvelope)).toBe(SECRET);
    // Copied to another row, it does not open.
    expect(() => openClientSecret(crypto.randomUUID(), stored.clientSecretEnvelope)).toThrow();
  });

  it("are re-wrapped by npm run keys:rotate and open with the new key alone", async () => {
    const oldKey = generateKey();
    useEnvKeys(oldKey);
    const provider = await create();
    // A sign-in in progress (someone at the provider's login page) while the key rotates.
    const attemptId = "a".repeat(64);
    const attemptSecrets = { codeVerifier: "verifier-that-must-stay-sealed", nonce: "nonce-1" };
    await db().ssoLoginAttempt.create({
      data: {
        id: attemptId,
        providerId: provider.id,
        browserHash: "b".repeat(64),
        sealed: sealAttemptSecrets(attemptId, attemptSecrets) as object,
        returnTo: "/",
        expiresAt: new Date(Date.now() + 600_000),
      },
    });
    const newKey = generateKey();
    useEnvKeys(newKey, oldKey);
    const report = await rotateMasterKey();
    expect(report.rewrapped).toBeGreaterThanOrEqual(1);
    useEnvKeys(newKey);
    const stored = await db().ssoProvider.findUniqueOrThrow({
      where: { id: provider.id },
      omit: { clientSecretEnvelope: false },
    });
    expect((stored.clientSecretEnvelope as { kid: string }).kid).toBe(keyring().current.id);
    expect(openClientSecret(provider.id, stored.clientSecretEnvelope)).toBe(SECRET);
    expect(report.notCurrent).toBe(0);
    const attempt = await db().ssoLoginAttempt.findUniqueOrThrow({
      where: { id: attemptId },
      omit: { sealed: false },
    });
    expect(openAttemptSecrets(attemptId, attempt.sealed)).toEqual(attemptSecrets);
  });
});
