import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fault, type Testbed } from "@/testbed/harness";
import { resetEnvForTests } from "@/lib/server/config/env";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { checkRegisteredCluster, checkUnsavedConnection } from "./check-connection";
import { registerCluster } from "./register";

const TIMEOUT_MS = 2000;
let tb: Testbed;

beforeAll(async () => {
  tb = await testbed();
  process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = String(TIMEOUT_MS);
  resetEnvForTests();
});
afterAll(async () => {
  await fault("testbed-3", "resume");
  delete process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  resetEnvForTests();
  forgetAllTransports();
});
beforeEach(async () => {
  await resetDatabase();
  forgetAllTransports();
  await fault("testbed-3", "resume");
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe("connection failures are named in plain words, within the timeout", () => {
  it("wrong CA: unknown certificate authority", async () => {
    const input = registrationFor(tb, "testbed-1", "wrong-ca");
    const otherCa = registrationFor(tb, "testbed-2", "x").caData;
    const result = await checkUnsavedConnection({ ...input, caData: otherCa });
    expect(result).toMatchObject({
      ok: false,
      error: { code: "tls_unknown_authority", message: expect.stringMatching(/Unknown certificate authority/) },
    });
  });

  it("wrong token: 401 unauthorized", async () => {
    const result = await checkUnsavedConnection({
      ...registrationFor(tb, "testbed-1", "x"),
      credential: { type: "token", token: "definitely-wrong" },
    });
    expect(result).toMatchObject({ ok: false, error: { code: "unauthorized", message: expect.stringMatching(/401/) } });
  });

  it("nothing listening: connection refused", async () => {
    const result = await checkUnsavedConnection({
      ...registrationFor(tb, "testbed-1", "x"),
      server: "https://127.0.0.1:1",
    });
    expect(result).toMatchObject({ ok: false, error: { code: "connection_refused" } });
  });

  it("unknown host: DNS", async () => {
    const result = await checkUnsavedConnection({
      ...registrationFor(tb, "testbed-1", "x"),
      server: "https://no-such-cluster.invalid:6443",
    });
    expect(result).toMatchObject({ ok: false, error: { code: "dns" } });
  });

  it("a stopped cluster is unreachable (refused) quickly", async () => {
    const cluster = await registerCluster(registrationFor(tb, "testbed-3", "stopped"));
    await fault("testbed-3", "stop");
    const { value, ms } = await timed(() => checkRegisteredCluster(cluster.id));
    expect(value).toMatchObject({ ok: false, error: { code: "connection_refused" } });
    // Refused, not timed out (the code says so); the bound only catches a hang.
    expect(ms).toBeLessThan(15_000);
  });

  it("a hanging cluster times out at the per-cluster timeout, not later", async () => {
    const cluster = await registerCluster(registrationFor(tb, "testbed-3", "hanging"));
    await fault("testbed-3", "hang");
    const { value, ms } = await timed(() => checkRegisteredCluster(cluster.id));
    expect(value).toMatchObject({ ok: false, error: { code: "timeout", message: "No answer within 2 s" } });
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + 10_000);
  });

  it("a slow cluster still answers, with its latency measured", async () => {
    process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = "8000";
    resetEnvForTests();
    try {
      const cluster = await registerCluster(registrationFor(tb, "testbed-3", "slow"));
      await fault("testbed-3", "slow", { latency: "1s" });
      const result = await checkRegisteredCluster(cluster.id);
      expect(result.ok).toBe(true);
      expect(result.latencyMs).toBeGreaterThanOrEqual(1000);
    } finally {
      process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = String(TIMEOUT_MS);
      resetEnvForTests();
    }
  });
});
