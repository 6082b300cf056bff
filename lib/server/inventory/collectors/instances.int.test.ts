import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureNextBuildInBackground } from "@/lib/cli/steps/next-build";
import { ALL_KINDS, KINDS } from "@/lib/k8s/kinds";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { startAppProcess, type AppProcess } from "@/lib/testing/app-process";
import { freePort } from "@/lib/testing/test-database";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";

/**
 * Two real app instances (server processes) on one database split the fleet index's
 * collectors, and each (cluster, kind) is watched exactly once, counted where it happens: at
 * the API servers (apiserver_longrunning_requests, against a baseline taken before the apps
 * started; integration files run one at a time, and this process runs no collector). Killing
 * the instance holding leases hands them to the other within 15 s, and a ConfigMap created
 * in the gap reaches the index.
 */

const tag = randomBytes(3).toString("hex");
const apps: AppProcess[] = [];
let clusterIds: string[];

const appEnv = () => ({
  DATABASE_URL: process.env.DATABASE_URL!,
  ARCHIPELAGO_MASTER_KEY: process.env.ARCHIPELAGO_MASTER_KEY!,
  ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: "3600",
  ARCHIPELAGO_CLUSTER_TIMEOUT_MS: "3000",
});

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Open cluster-wide watches per "clusterId/kind" of our kinds, as the API servers count them. */
async function watchesAtServers(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const clusterId of clusterIds) {
    const transport = await transportFor(clusterId);
    const response = await transport.request({ method: "GET", path: "/metrics", accept: "text/plain" });
    const text = response.body.toString("utf8");
    for (const kind of ALL_KINDS) {
      const group = KINDS[kind].apiPath === "/api/v1" ? "" : KINDS[kind].apiPath.split("/")[2];
      const line = text
        .split("\n")
        .find(
          (l) =>
            l.startsWith("apiserver_longrunning_requests{") &&
            l.includes(`group="${group}"`) &&
            l.includes(`resource="${kind}"`) &&
            l.includes('scope="cluster"') &&
            l.includes('verb="WATCH"'),
        );
      counts[`${clusterId}/${kind}`] = line ? Number(line.split(" ").at(-1)) : 0;
    }
  }
  return counts;
}

const minus = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(Object.entries(a).map(([key, value]) => [key, value - (b[key] ?? 0)]));
const onceEach = () => Object.fromEntries(clusterIds.flatMap((id) => ALL_KINDS.map((kind) => [`${id}/${kind}`, 1])));

async function leases() {
  return db().$queryRaw<Array<{ holder: string | null; live: boolean; held: boolean }>>`
    SELECT holder, live, coalesce(lease_until > now(), false) AS held FROM inventory_collectors`;
}
const pidOf = (holder: string | null) => Number(holder?.split(":")[2]);

beforeAll(async () => {
  await ensureNextBuildInBackground();
  const tb = await testbed();
  forgetAllTransports();
  await resetDatabase();
  clusterIds = [];
  for (const name of ["testbed-1", "testbed-2", "testbed-3"])
    clusterIds.push((await registerCluster(registrationFor(tb, name, `${name}-${tag}`))).id);
}, 600_000);

afterAll(async () => {
  await Promise.all(apps.splice(0).map((app) => app.kill("SIGKILL")));
});

describe("two app instances on one database", () => {
  it("split the collectors, watch each (cluster, kind) once, and take over a killed instance's within 15 s", async () => {
    const baseline = await watchesAtServers();
    const [a, b] = await Promise.all([
      startAppProcess(await freePort(), appEnv()),
      startAppProcess(await freePort(), appEnv()),
    ]);
    apps.push(a!, b!);
    const wanted = clusterIds.length * ALL_KINDS.length;

    // Every collector held and live, split 11/10 (at most ceil(21 / 2) each).
    const spread = await until(
      leases,
      (rows) =>
        rows.length === wanted &&
        rows.every((row) => row.held && row.live) &&
        [a!.pid, b!.pid].every((pid) => {
          const n = rows.filter((row) => pidOf(row.holder) === pid).length;
          return n >= Math.floor(wanted / 2) && n <= Math.ceil(wanted / 2);
        }),
      90_000,
    );
    const perInstance = [a!.pid, b!.pid].map((pid) => spread.filter((row) => pidOf(row.holder) === pid).length);
    expect(perInstance.sort()).toEqual([Math.floor(wanted / 2), Math.ceil(wanted / 2)]);
    // Exactly one watch per (cluster, kind) at the API servers, on three samples in a row.
    let steady = 0;
    const watches = await until(
      async () => minus(await watchesAtServers(), baseline),
      (delta) => (JSON.stringify(delta) === JSON.stringify(onceEach()) ? ++steady >= 3 : ((steady = 0), false)),
      30_000,
    );
    expect(watches).toEqual(onceEach());

    // Kill the instance holding leases; create a ConfigMap while nobody watches its cluster's configmaps.
    const victim = a!;
    const survivor = b!;
    await victim.kill("SIGKILL");
    const killedAt = Date.now();
    // "default" exists on every cluster from its start; a seeded namespace may have been removed by an earlier file.
    const name = `gap-${tag}`;
    const transport = await transportFor(clusterIds[0]!);
    await transport.json({
      method: "POST",
      path: "/api/v1/namespaces/default/configmaps",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { a: "1" } },
    });
    try {
      const moved = await until(
        leases,
        (rows) => rows.every((row) => row.held && pidOf(row.holder) === survivor.pid),
        20_000,
      );
      const tookMs = Date.now() - killedAt;
      expect(moved.every((row) => row.held && pidOf(row.holder) === survivor.pid)).toBe(true);
      expect(tookMs).toBeLessThan(15_000);

      const indexed = await until(
        () => db().inventoryObject.findFirst({ where: { clusterId: clusterIds[0], kind: "configmaps", name } }),
        (row) => row !== null && row.deletedAt === null,
        20_000,
      );
      expect(indexed?.namespace).toBe("default");
      // The change made in the gap is in the timeline too (the index was filled before: not a first fill).
      expect(await db().inventoryChange.count({ where: { name, change: "created" } })).toBe(1);

      // And still one watch per (cluster, kind): the survivor's, the killed instance's connections gone.
      steady = 0;
      const after = await until(
        async () => minus(await watchesAtServers(), baseline),
        (delta) => (JSON.stringify(delta) === JSON.stringify(onceEach()) ? ++steady >= 3 : ((steady = 0), false)),
        30_000,
      );
      expect(after).toEqual(onceEach());
    } finally {
      await transport.request({ method: "DELETE", path: `/api/v1/namespaces/default/configmaps/${name}` });
    }
    // The bound that catches a hang covers the waits above (two app starts, the spread, the
    // watches, the takeover): the default 60 s was shorter than their own limits on a busy machine.
  }, 240_000);
});
