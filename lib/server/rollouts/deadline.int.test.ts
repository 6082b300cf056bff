import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fault, type Testbed } from "@/testbed/harness";
import type { RolloutRequest } from "@/lib/schemas/templates";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { resetEnvForTests } from "@/lib/server/config/env";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/server/db/client";
import { probeCluster } from "@/lib/server/kube/probe";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { checkReleaseDrift } from "@/lib/server/releases/drift";
import { executor } from "@/lib/server/releases/hub-push";
import { createTemplate } from "@/lib/server/templates/templates";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { startRollout } from "./create";
import { previewRollout } from "./preview";
import { getRollout } from "./queries";
import { startRolloutWorker, type RolloutWorker } from "./worker";

/**
 * Time limits that hold (issue 20, point 7): with one cluster hung and one answering just under
 * the per-cluster limit on every call, a fan-out still ends within that limit plus a small
 * margin, because each cluster gets ONE deadline for all its calls in the fan-out (discovery,
 * live read, dry-run), not the full limit per call. The healthy cluster's answer is complete.
 */

const LIMIT_MS = 3000;
/** What the bound allows beyond the limit: scheduling, the database, the healthy cluster's own work. */
const MARGIN_MS = 1500;
const NS = "deadline-ns";

let tb: Testbed;
let admin: AccessProfile;
let worker: RolloutWorker;
let clusters: Record<string, string>;
let request: RolloutRequest;
let previewRequest: RolloutRequest;
let releaseId: string;

/**
 * One kept-alive connection to the slow cluster, opened outside the measured time: each call
 * on it then takes just under the limit (a new connection's handshake would add another delay
 * and time out on its own), which is the case where several calls in a row each got the limit.
 */
async function warmSlowCluster() {
  const transport = await transportFor(clusters["dl-2"]!);
  await transport.request({ method: "GET", path: "/version", timeoutMs: 20_000 });
}

beforeAll(async () => {
  tb = await testbed();
  process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = String(LIMIT_MS);
  resetEnvForTests();
  forgetAllTransports();
  await resetDatabase();
  admin = await loadAccessProfile({ user: await createTestUser({ isAdmin: true }), via: "session" });
  clusters = {};
  for (const index of [1, 2, 3]) {
    const id = (await registerCluster(registrationFor(tb, `testbed-${index}`, `dl-${index}`))).id;
    clusters[`dl-${index}`] = id;
    const transport = await transportFor(id);
    await transport.request({
      method: "POST",
      path: "/api/v1/namespaces",
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
    });
    await transport.request({ method: "DELETE", path: `/api/v1/namespaces/${NS}/configmaps/bounded` });
  }
  const template = await createTemplate(admin, {
    name: "bounded",
    description: "",
    schema: { type: "object", properties: {} },
    body: [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: bounded",
      `  namespace: ${NS}`,
      "data:",
      "  a: b",
    ].join("\n"),
    overrides: [],
    message: "first",
  });
  request = {
    releaseName: "bounded",
    templateId: template.id,
    revision: 1,
    params: {},
    targets: { selector: null, clusterIds: Object.values(clusters) },
    strategy: { kind: "all" },
    healthGate: { timeoutSeconds: 30 },
    tolerateFailures: 0,
    autoRollback: false,
    takeOwnership: false,
  } as RolloutRequest;
  worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
  const { id } = await startRollout(admin, request);
  const until = Date.now() + 60_000;
  let rollout = await getRollout(admin, id);
  while (rollout.state === "running" && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    rollout = await getRollout(admin, id);
  }
  expect(rollout.state).toBe("succeeded");
  releaseId = rollout.release.id;
  await worker.stop();
  // The preview renders a kind whose discovery nobody asked for yet (policy/v1), so it meets the
  // faults too: discovery, live read and dry-run in a row, the case where each call got the full limit.
  previewRequest = {
    ...request,
    releaseName: "bounded-preview",
    templateId: (
      await createTemplate(admin, {
        name: "bounded-preview",
        description: "",
        schema: { type: "object", properties: {} },
        body: [
          "apiVersion: v1",
          "kind: ConfigMap",
          "metadata:",
          "  name: bounded-preview",
          `  namespace: ${NS}`,
          "---",
          "apiVersion: policy/v1",
          "kind: PodDisruptionBudget",
          "metadata:",
          "  name: bounded-preview",
          `  namespace: ${NS}`,
          "spec:",
          "  minAvailable: 1",
          "  selector:",
          "    matchLabels:",
          "      app: bounded",
        ].join("\n"),
        overrides: [],
        message: "first",
      })
    ).id,
  };
  // More hung clusters than any queue in front of the drift fan-out had slots (it was 8): the same
  // hung API server under eight more names, each holding the release, so a check that queued
  // clusters would take the limit twice.
  const hungRow = await db().releaseCluster.findFirstOrThrow({ where: { releaseId, clusterId: clusters["dl-3"]! } });
  for (let copy = 1; copy <= 8; copy++) {
    const id = (await registerCluster(registrationFor(tb, "testbed-3", `dl-3-copy-${copy}`))).id;
    await db().releaseCluster.create({
      data: { ...hungRow, clusterId: id } as unknown as Prisma.ReleaseClusterUncheckedCreateInput,
    });
  }
  await fault("testbed-3", "hang");
  await fault("testbed-2", "slow", { latency: `${LIMIT_MS - 500}ms` });
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await fault("testbed-2", "resume");
  await fault("testbed-3", "resume");
  delete process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  resetEnvForTests();
});

describe("one deadline per cluster per fan-out", () => {
  it("a preview across a hung and a slow cluster ends within the limit plus the margin", async () => {
    await warmSlowCluster();
    const started = performance.now();
    const preview = await previewRollout(admin, previewRequest);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(LIMIT_MS + MARGIN_MS);
    const byName = Object.fromEntries(preview.clusters.map((c) => [c.clusterName, c]));
    expect(byName["dl-1"]).toMatchObject({ error: null, counts: { create: 2, problems: 0 } });
    expect(byName["dl-3"]!.error).toMatch(/^Cluster dl-3\b.*No answer within 3 s/);
    console.info(`preview with dl-3 hung and dl-2 slow: ${Math.round(elapsed)} ms (limit ${LIMIT_MS} ms)`);
  });

  it("a drift check across the same clusters ends within the limit plus the margin", async () => {
    await warmSlowCluster();
    const started = performance.now();
    const results = await checkReleaseDrift(releaseId, { heal: false, caller: admin });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(LIMIT_MS + MARGIN_MS);
    const byId = Object.fromEntries(results.map((r) => [r.clusterId, r.state]));
    expect(byId[clusters["dl-1"]!]).toBe("in_sync");
    expect(byId[clusters["dl-3"]!]).toBe("unreachable");
    // dl-3 under all nine names (dl-2, slow on every call, may time out as well).
    expect(results.filter((r) => r.state === "unreachable").length).toBeGreaterThanOrEqual(9);
    const stored = await db().releaseCluster.findFirstOrThrow({
      where: { releaseId, clusterId: clusters["dl-3"]! },
      select: { driftDetails: true },
    });
    expect(JSON.stringify(stored.driftDetails)).toMatch(/No answer within 3 s/);
    console.info(
      `drift check with dl-3 hung (under 9 names) and dl-2 slow: ${Math.round(elapsed)} ms (limit ${LIMIT_MS} ms)`,
    );
  });

  it("a health probe of the slow cluster (several calls in a row) ends within the limit plus the margin", async () => {
    await warmSlowCluster();
    const started = performance.now();
    const result = await probeCluster(await transportFor(clusters["dl-2"]!), LIMIT_MS);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(LIMIT_MS + MARGIN_MS);
    expect(result).toMatchObject({ ok: false, error: { code: "timeout" } });
    console.info(`health probe of dl-2 (slow): ${Math.round(elapsed)} ms (limit ${LIMIT_MS} ms)`);
  });
});
