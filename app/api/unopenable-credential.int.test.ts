import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Testbed } from "@/testbed/harness";
import { createSession } from "@/lib/server/auth/sessions";
import { startHealthMonitor } from "@/lib/server/clusters/health-monitor";
import { registerCluster } from "@/lib/server/clusters/register";
import { seal } from "@/lib/server/crypto/envelope";
import { generateKey, loadKeyring } from "@/lib/server/crypto/keyring";
import { keyring, resetKeyring } from "@/lib/server/crypto/master-keyring";
import { resetEnvForTests } from "@/lib/server/config/env";
import { rotateMasterKey } from "@/lib/server/clusters/rotate-keys";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { logger } from "@/lib/server/log/logger";
import { executor } from "@/lib/server/releases/hub-push";
import { startRolloutWorker, type RolloutWorker } from "@/lib/server/rollouts/worker";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { demoTemplate } from "@/lib/testing/rollout-fixtures";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import * as clusterHealthRoute from "./v1/clusters/[id]/health/route";
import * as clusterTestRoute from "./v1/clusters/[id]/test/route";
import * as inventoryRoute from "./v1/inventory/route";
import * as inventoryObjectRoute from "./v1/inventory/object/route";
import * as revealRoute from "./v1/inventory/secrets/reveal/route";
import * as rolloutRoute from "./v1/rollouts/[id]/route";
import * as previewRoute from "./v1/rollouts/preview/route";
import * as rolloutsRoute from "./v1/rollouts/route";
import * as templatesRoute from "./v1/templates/route";

/**
 * Issue 20, point 5: a cluster whose stored credential is sealed under a master key this
 * instance does not hold (say, a key retired by a rotation that missed the row, or a database
 * restored without its key file) is that cluster's problem, never a 500. Every path that opens
 * the credential says so, naming the cluster (and the key id to an admin on the cluster's own
 * paths; a reader who is no admin is told an admin can see which key): the connection test and the
 * object routes answer 503, the fan-outs (inventory, preview, a rollout's target, the health
 * monitor's status) show it as that cluster's state, and the other cluster keeps working. No
 * answer or log line holds key material, and nothing is logged as an error.
 */

const tag = randomBytes(3).toString("hex");
const foreign = loadKeyring({ envKey: generateKey(), defaultFile: null });
const FOREIGN_KID = foreign.current.id;
const NAME = `sealed-away-${tag}`;

let tb: Testbed;
let worker: RolloutWorker;
let session: string;
let readerSession: string;
let goodId: string;
let lockedId: string;
const errorLogs: unknown[] = [];
let openable: object;
let sealedAway: object;

async function useEnvelope(envelope: object) {
  await db().cluster.update({
    where: { id: lockedId },
    data: { credentialEnvelope: envelope, revision: { increment: 1 } },
  });
  forgetAllTransports();
}

async function call(handler: Parameters<typeof callRoute>[0], input: Omit<Parameters<typeof callRoute>[1], "session">) {
  const answer = await callRoute(handler, { ...input, session });
  return { status: answer.status, body: answer.body as Record<string, unknown>, text: JSON.stringify(answer.body) };
}

/** The answer names the cluster (and the key id where it may: to an admin, on the cluster's own paths), and holds no key. */
function expectNamed(text: string, keyIds = false) {
  expect(text).toContain(NAME);
  if (keyIds) expect(text).toContain(FOREIGN_KID);
  else {
    expect(text).not.toContain(FOREIGN_KID);
    expect(text).not.toContain(keyring().current.id);
    expect(text).toContain("an admin can see which key");
  }
  for (const key of [...foreign.all, ...keyring().all]) {
    expect(text).not.toContain(key.key.toString("base64"));
    expect(text).not.toContain(key.key.toString("hex"));
  }
}

beforeAll(async () => {
  vi.spyOn(logger, "error").mockImplementation(((...args: unknown[]) => {
    errorLogs.push(args);
  }) as never);
  tb = await testbed();
  await resetDatabase();
  const admin = await createTestUser({ isAdmin: true, email: "locked-admin@example.com" });
  session = (await createSession(admin.id, { clientIp: "127.0.0.1", userAgent: "locked" })).token;
  goodId = (await registerCluster(registrationFor(tb, "testbed-1", `good-${tag}`))).id;
  const registration = registrationFor(tb, "testbed-2", NAME);
  lockedId = (await registerCluster(registration)).id;
  const team = await db().team.create({ data: { name: `readers-${tag}` } });
  await db().grant.create({
    data: { teamId: team.id, clusterIds: [goodId, lockedId], namespaces: ["team-a"], level: "view", secrets: "none" },
  });
  const reader = await createTestUser({ email: "locked-reader@example.com" });
  await db().membership.create({ data: { teamId: team.id, userId: reader.id } });
  readerSession = (await createSession(reader.id, { clientIp: "127.0.0.1", userAgent: "locked" })).token;
  const stored = await db().cluster.findUniqueOrThrow({
    where: { id: lockedId },
    select: { credentialEnvelope: true },
  });
  openable = stored.credentialEnvelope as object;
  // Re-sealed under a key this process's keyring does not hold, as a restore without its key file leaves it.
  sealedAway = seal(
    foreign,
    Buffer.from(JSON.stringify(registration.credential)),
    `cluster:${lockedId}:credential`,
  ) as object;
  await useEnvelope(sealedAway);
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  vi.restoreAllMocks();
});

describe("a cluster whose credential does not open with the current keys", () => {
  it("answers 503 naming the cluster and key id on its own paths, and is that cluster's state in every fan-out", async () => {
    // The connection test: 503, and the cluster's status records why.
    const tested = await call(clusterTestRoute.POST, {
      method: "POST",
      path: `/api/v1/clusters/${lockedId}/test`,
      params: { id: lockedId },
    });
    expect(tested.status, tested.text).toBe(503);
    expect((tested.body.error as { code: string }).code).toBe("credential_unavailable");
    expectNamed(tested.text, true);
    expect(tested.text).toContain(`current key ${keyring().current.id}`);
    const good = await call(clusterTestRoute.POST, {
      method: "POST",
      path: `/api/v1/clusters/${goodId}/test`,
      params: { id: goodId },
    });
    expect(good.status, good.text).toBe(200);

    // Object detail and reveal open the credential too.
    for (const answer of [
      await call(inventoryObjectRoute.GET, {
        path: `/api/v1/inventory/object?cluster=${lockedId}&kind=secrets&namespace=team-a&name=x`,
      }),
      await call(revealRoute.POST, {
        method: "POST",
        path: "/api/v1/inventory/secrets/reveal",
        body: { cluster: lockedId, namespace: "team-a", name: "x" },
      }),
    ]) {
      expect(answer.status, answer.text).toBe(503);
      expectNamed(answer.text, true);
    }

    // A reader who is no admin is told the cluster and what to do, never the key ids.
    const readerCall = async (
      handler: Parameters<typeof callRoute>[0],
      input: Omit<Parameters<typeof callRoute>[1], "session">,
    ) => {
      const answer = await callRoute(handler, { ...input, session: readerSession });
      return { status: answer.status, text: JSON.stringify(answer.body) };
    };
    for (const answer of [
      await readerCall(clusterTestRoute.POST, {
        method: "POST",
        path: `/api/v1/clusters/${lockedId}/test`,
        params: { id: lockedId },
      }),
      await readerCall(inventoryObjectRoute.GET, {
        path: `/api/v1/inventory/object?cluster=${lockedId}&kind=configmaps&namespace=team-a&name=x`,
      }),
    ]) {
      expect(answer.status, answer.text).toBe(503);
      expectNamed(answer.text);
    }

    // The health monitor's status text.
    const monitor = startHealthMonitor(process.env.DATABASE_URL!);
    try {
      await monitor.checkAll();
    } finally {
      await monitor.stop();
    }
    const health = await call(clusterHealthRoute.GET, {
      path: `/api/v1/clusters/${lockedId}/health?limit=1`,
      params: { id: lockedId },
    });
    expect(health.status, health.text).toBe(200);
    expect((health.body.checks as Array<{ ok: boolean }>)[0]!.ok).toBe(false);
    expectNamed(health.text);

    // Inventory: the other cluster answers, this one says why it does not.
    const inventory = await call(inventoryRoute.GET, { path: "/api/v1/inventory?view=configmaps" });
    expect(inventory.status, inventory.text).toBe(200);
    expectNamed(inventory.text);

    // Preview over both clusters: 200, this cluster's entry names the key.
    const template = await call(templatesRoute.POST, {
      method: "POST",
      path: "/api/v1/templates",
      body: demoTemplate(`locked-${tag}`, `locked-${tag}`),
    });
    expect(template.status, template.text).toBe(201);
    const templateId = (template.body.template as { id: string }).id;
    const request = (clusterIds: string[]) => ({
      releaseName: `locked-${tag}`,
      templateId,
      revision: 1,
      params: {},
      targets: { clusterIds },
      healthGate: { timeoutSeconds: 30 },
    });
    const preview = await call(previewRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts/preview",
      body: request([goodId, lockedId]),
    });
    expect(preview.status, preview.text).toBe(200);
    const entries = preview.body.clusters as Array<{ clusterId: string; error?: string | null }>;
    expect(entries.find((entry) => entry.clusterId === goodId)?.error ?? null).toBeNull();
    expectNamed(JSON.stringify(entries.find((entry) => entry.clusterId === lockedId)));

    // Starting a rollout there is refused up front (discovery needs the credential), naming it.
    const refused = await call(rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      body: request([lockedId]),
    });
    expect(refused.status, refused.text).toBe(400);
    expectNamed(refused.text);

    // A rollout started while the credential opened, whose key is gone before a worker runs it:
    // the target's outcome names the key; nothing was applied.
    await useEnvelope(openable);
    const started = await call(rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      body: request([lockedId]),
    });
    expect(started.status, started.text).toBe(201);
    await useEnvelope(sealedAway);
    worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
    const id = started.body.rolloutId as string;
    const until = Date.now() + 120_000;
    let rollout: { state: string; targets: Array<{ error: string | null }> };
    for (;;) {
      const got = await call(rolloutRoute.GET, { path: `/api/v1/rollouts/${id}`, params: { id } });
      rollout = got.body.rollout as typeof rollout;
      if (!["pending", "running", "paused", "rolling_back"].includes(rollout.state) || Date.now() > until) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(["failed", "rolled_back"]).toContain(rollout.state);
    expectNamed(rollout.targets[0]!.error ?? "");

    // A rotation is not stopped by it: everything else moves to the new key, the report counts it.
    process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS = process.env.ARCHIPELAGO_MASTER_KEY;
    process.env.ARCHIPELAGO_MASTER_KEY = generateKey();
    resetEnvForTests();
    resetKeyring();
    const report = await rotateMasterKey();
    expect(report.notCurrent).toBe(1);
    expect(report.rewrapped).toBeGreaterThanOrEqual(2); // the good cluster and the audit chain key
    const kids = await db().$queryRaw<Array<{ id: string; kid: string }>>`
      SELECT id::text, credential_envelope->>'kid' AS kid FROM clusters`;
    expect(Object.fromEntries(kids.map((row) => [row.id, row.kid]))).toEqual({
      [goodId]: keyring().current.id,
      [lockedId]: FOREIGN_KID,
    });

    expect(errorLogs).toEqual([]);
  }, 300_000);
});
