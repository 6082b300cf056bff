import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fault, type Testbed } from "@/testbed/harness";
import { resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { HEALTH_HISTORY, recordProbe } from "./health";
import { startHealthMonitor, type HealthMonitor } from "./health-monitor";
import { registerCluster } from "./register";
import { listClusters } from "./queries";

let tb: Testbed;
let monitor: HealthMonitor | undefined;

beforeAll(async () => {
  tb = await testbed();
  process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = "1500";
  process.env.ARCHIPELAGO_HEALTH_INTERVAL_SECONDS = "3600";
  resetEnvForTests();
});
afterAll(async () => {
  await fault("testbed-3", "resume");
  delete process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  delete process.env.ARCHIPELAGO_HEALTH_INTERVAL_SECONDS;
  resetEnvForTests();
});
beforeEach(async () => {
  await resetDatabase();
  forgetAllTransports();
  await fault("testbed-3", "resume");
});
afterEach(async () => {
  await monitor?.stop();
  monitor = undefined;
});

describe("background health checks", () => {
  it("check every cluster, mark a stopped one unreachable with its error and since-time, and see it recover", async () => {
    const healthy = await registerCluster(registrationFor(tb, "testbed-1", "healthy", { labels: { env: "prod" } }));
    const flaky = await registerCluster(registrationFor(tb, "testbed-3", "flaky", { labels: { env: "staging" } }));
    monitor = startHealthMonitor(process.env.DATABASE_URL!);
    await monitor.checkAll();
    expect((await listClusters({ page: 1, pageSize: 100 })).counts).toMatchObject({ reachable: 2, unreachable: 0 });

    await fault("testbed-3", "stop");
    await monitor.checkAll();
    const down = await db().cluster.findUniqueOrThrow({ where: { id: flaky.id } });
    expect(down).toMatchObject({ status: "unreachable", lastErrorCode: "connection_refused" });
    const since = down.statusSince;
    await monitor.checkAll();
    // Still the original time: "unreachable since T" does not move with each failure.
    expect((await db().cluster.findUniqueOrThrow({ where: { id: flaky.id } })).statusSince).toEqual(since);
    expect((await db().cluster.findUniqueOrThrow({ where: { id: healthy.id } })).status).toBe("reachable");

    const listed = await listClusters({ page: 1, pageSize: 100, status: "unreachable" });
    expect(listed.clusters.map((c) => c.name)).toEqual(["flaky"]);
    expect(listed.counts).toMatchObject({ total: 2, reachable: 1, unreachable: 1 });

    await fault("testbed-3", "resume");
    await monitor.checkAll();
    expect((await db().cluster.findUniqueOrThrow({ where: { id: flaky.id } })).status).toBe("reachable");
  });

  it("a hanging cluster does not hold up the others", async () => {
    await registerCluster(registrationFor(tb, "testbed-1", "fast-1"));
    await registerCluster(registrationFor(tb, "testbed-2", "fast-2"));
    const hanging = await registerCluster(registrationFor(tb, "testbed-3", "hung"));
    await fault("testbed-3", "hang");
    monitor = startHealthMonitor(process.env.DATABASE_URL!);
    const started = performance.now();
    await monitor.checkAll();
    // The statuses prove the hung cluster was cut at its timeout; the bound only catches a hang.
    expect(performance.now() - started).toBeLessThan(15_000);
    const statuses = Object.fromEntries((await db().cluster.findMany()).map((c) => [c.name, c.status]));
    expect(statuses).toEqual({ "fast-1": "reachable", "fast-2": "reachable", hung: "unreachable" });
    expect((await db().cluster.findUniqueOrThrow({ where: { id: hanging.id } })).lastErrorCode).toBe("timeout");
  });

  it("keeps only the latest checks per cluster", async () => {
    const cluster = await registerCluster(registrationFor(tb, "testbed-1", "history"));
    for (let i = 0; i < HEALTH_HISTORY + 5; i += 1) {
      await recordProbe(cluster.id, { ok: false, latencyMs: null, error: { code: "timeout", message: "No answer" } });
    }
    expect(await db().clusterHealthCheck.count({ where: { clusterId: cluster.id } })).toBe(HEALTH_HISTORY);
  });

  it("filters by label selector", async () => {
    await registerCluster(registrationFor(tb, "testbed-1", "eu-prod", { labels: { env: "prod", region: "eu" } }));
    await registerCluster(registrationFor(tb, "testbed-2", "us-prod", { labels: { env: "prod", region: "us" } }));
    await registerCluster(registrationFor(tb, "testbed-3", "eu-dev", { labels: { env: "dev", region: "eu" } }));
    const names = async (selector: string) =>
      (await listClusters({ selector, page: 1, pageSize: 100 })).clusters.map((c) => c.name);
    expect(await names("env=prod")).toEqual(["eu-prod", "us-prod"]);
    expect(await names("env==prod,region!=us")).toEqual(["eu-prod"]);
    expect(await names("region in (eu),env notin (prod)")).toEqual(["eu-dev"]);
    expect(await names("!region")).toEqual([]);
    expect(await names("region")).toHaveLength(3);
  });
});
