import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { auditEvents, type Testbed } from "@/testbed/harness";
import { ensureNextBuildInBackground } from "@/lib/cli/steps/next-build";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { createTemplate } from "@/lib/server/templates/templates";
import { startAppProcess, type AppProcess } from "@/lib/testing/app-process";
import { freePort } from "@/lib/testing/test-database";
import { resetDatabase } from "@/lib/testing/reset-database";
import { demoTemplate } from "@/lib/testing/rollout-fixtures";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { startRollout } from "./create";

/**
 * Durable execution with real server processes on one database: the rollout is started
 * here (writes rows only; this process runs no worker), and spawned app instances execute it.
 */

let tb: Testbed;
let admin: AccessProfile;
let clusterIds: string[];
let templateId: string;
const apps: AppProcess[] = [];

const appEnv = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: process.env.DATABASE_URL!,
  ARCHIPELAGO_MASTER_KEY: process.env.ARCHIPELAGO_MASTER_KEY!,
  ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: "3600",
  ARCHIPELAGO_CLUSTER_TIMEOUT_MS: "3000",
  ...extra,
});

/** Release names unique to this run, so the clusters' audit logs hold no apply of an earlier run. */
const runSuffix = randomBytes(3).toString("hex");

/** The five objects of the demo template, as the audit log names them. */
const demoObjects = (release: string) => [
  `configmaps/${release}-config`,
  `secrets/${release}-secret`,
  `serviceaccounts/${release}-sa`,
  `services/${release}-svc`,
  `deployments/${release}-web`,
];

/**
 * Server-side applies of one release's objects that reached each testbed cluster, counted
 * from the API servers' audit logs (not from our own step log): "cluster resource/name" ->
 * number of successful non-dry-run applies.
 */
function appliesReached(release: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const cluster of tb.clusters) {
    for (const event of auditEvents(cluster.name)) {
      const ref = event.objectRef;
      const query = new URL(event.requestURI, "https://cluster").searchParams;
      if (event.verb !== "patch" || !query.has("fieldManager") || query.has("dryRun")) continue;
      if (ref?.namespace !== "team-a" || !demoObjects(release).includes(`${ref.resource}/${ref.name}`)) continue;
      if ((event.responseStatus?.code ?? 0) >= 300) continue;
      const key = `${cluster.name} ${ref.resource}/${ref.name}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

/** Exactly one apply of each object on each of the three clusters. */
const onceEverywhere = (release: string) =>
  Object.fromEntries(
    ["testbed-1", "testbed-2", "testbed-3"].flatMap((cluster) =>
      demoObjects(release).map((object) => [`${cluster} ${object}`, 1]),
    ),
  );

async function until<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function cleanDemoObjects(release: string) {
  for (const id of clusterIds) {
    const transport = await transportFor(id);
    for (const path of [
      `configmaps/${release}-config`,
      `secrets/${release}-secret`,
      `serviceaccounts/${release}-sa`,
      `services/${release}-svc`,
    ])
      await transport.request({ method: "DELETE", path: `/api/v1/namespaces/team-a/${path}` });
    await transport.request({ method: "DELETE", path: `/apis/apps/v1/namespaces/team-a/deployments/${release}-web` });
  }
}

beforeAll(async () => {
  await ensureNextBuildInBackground();
  tb = await testbed();
  forgetAllTransports();
  await resetDatabase();
  const user = await createTestUser({ isAdmin: true, email: "durable@example.com" });
  admin = await loadAccessProfile({ user, via: "session" });
  clusterIds = [];
  for (const index of [1, 2, 3])
    clusterIds.push(
      (await registerCluster(registrationFor(tb, `testbed-${index}`, `dur-${index}`, { labels: { durable: "yes" } })))
        .id,
    );
}, 600_000);

beforeEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.kill("SIGKILL")));
});

/** Releases this run applied, removed from the clusters at the end so later files see the clusters as they were. */
const applied: string[] = [];

afterAll(async () => {
  await Promise.all(apps.splice(0).map((app) => app.kill("SIGKILL")));
  for (const release of applied) await cleanDemoObjects(release);
});

const appliedSteps = async (rolloutId: string) =>
  db().rolloutEvent.findMany({
    where: { rolloutId, step: "target.applied" },
    select: { targetId: true, instance: true },
  });

// Each test's bound is the sum of its waits (app starts, apply, rollouts to finish): generous
// limits that catch a hang on a busy 2-core machine, not performance targets.
describe("durable rollouts", () => {
  it("killing the server mid-wave and starting another resumes without losing or repeating a cluster's step", async () => {
    const release = `durable-kill-${runSuffix}`;
    applied.push(release);
    templateId = (await createTemplate(admin, demoTemplate(release, release))).id;
    const first = await startAppProcess(await freePort(), appEnv());
    apps.push(first);
    const { id } = await startRollout(admin, {
      releaseName: release,
      templateId,
      revision: 1,
      params: { image: "registry.local/durable:1.0" },
      targets: { selector: "durable=yes", clusterIds: [] },
      strategy: { kind: "waves", batchSize: 1, canaryClusterIds: [], bakeSeconds: 3 },
      healthGate: { timeoutSeconds: 90 },
      tolerateFailures: 0,
      autoRollback: true,
      takeOwnership: false,
    });
    // Kill -9 as soon as the first cluster has been applied: its step is done, the rest is not.
    await until(
      () => appliedSteps(id),
      (steps) => steps.length >= 1,
      60_000,
      "the first apply",
    );
    await first.kill("SIGKILL");
    const before = await db().rolloutTarget.findMany({ where: { rolloutId: id }, select: { state: true } });
    expect(before.some((t) => t.state === "pending" || t.state === "queued")).toBe(true);

    apps.push(await startAppProcess(await freePort(), appEnv()));
    const rollout = await until(
      () => db().rollout.findUniqueOrThrow({ where: { id }, include: { targets: true } }),
      (r) => r.state !== "running",
      180_000,
      "the rollout to finish",
    );
    expect(rollout.state).toBe("succeeded");
    expect(rollout.targets.map((t) => t.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const steps = await appliedSteps(id);
    // Every target's apply step is on record (the unique (target, step) index would hide a
    // repeat here; the clusters' audit logs below are what show none happened).
    expect(steps).toHaveLength(3);
    const succeeded = await db().rolloutEvent.count({ where: { rolloutId: id, step: "target.succeeded" } });
    expect(succeeded).toBe(3);
    // The work after the kill was done by the new instance.
    expect(new Set(steps.map((s) => s.instance)).size).toBe(2);
    // What the clusters received: one server-side apply per object per cluster, none repeated
    // by the instance that took over and none lost with the killed one.
    expect(appliesReached(release)).toEqual(onceEverywhere(release));
  }, 420_000);

  it("two app instances on one database never execute the same step twice", async () => {
    const release = `durable-pair-${runSuffix}`;
    // Each instance works on one cluster at a time, so nine targets queued at once must be
    // shared: an instance that never takes work fails the test.
    const pair = [
      await startAppProcess(await freePort(), appEnv({ ARCHIPELAGO_ROLLOUT_CONCURRENCY: "1" })),
      await startAppProcess(await freePort(), appEnv({ ARCHIPELAGO_ROLLOUT_CONCURRENCY: "1" })),
    ];
    apps.push(...pair);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { id } = await startRollout(admin, {
        releaseName: `${release}-${i}`,
        // One template per rollout (the release name is baked into its objects' names), so the
        // clusters' audit logs tell the three rollouts' applies apart.
        templateId: (await createTemplate(admin, demoTemplate(`${release}-${i}`, `${release}-${i}`))).id,
        revision: 1,
        params: { image: `registry.local/pair:1.${i}`, greeting: `pair-${i}` },
        targets: { selector: "durable=yes", clusterIds: [] },
        strategy: { kind: "all" },
        healthGate: { timeoutSeconds: 90 },
        tolerateFailures: 0,
        autoRollback: false,
        takeOwnership: true,
      });
      ids.push(id);
      applied.push(`${release}-${i}`);
    }
    for (const id of ids) {
      const rollout = await until(
        () => db().rollout.findUniqueOrThrow({ where: { id } }),
        (r) => r.state !== "running",
        180_000,
        "the rollouts to finish",
      );
      expect(rollout.state).toBe("succeeded");
      expect(await appliedSteps(id)).toHaveLength(3);
    }
    // Both instances took work (an instance id starts with its pid): the queue spread it,
    // the claims kept it single.
    const workers = new Set(
      (
        await db().rolloutEvent.findMany({
          where: { rolloutId: { in: ids }, step: "target.applied" },
          select: { instance: true },
        })
      ).map((e) => Number(e.instance?.split("-")[0])),
    );
    expect(workers).toEqual(new Set(pair.map((app) => app.pid)));
    // No step twice, proven where it matters: what reached each API server (its audit log), not
    // our step log, whose unique (target, step) index makes a duplicate row impossible anyway.
    for (let i = 0; i < 3; i += 1) expect(appliesReached(`${release}-${i}`)).toEqual(onceEverywhere(`${release}-${i}`));
    // Nor twice by the two instances in turn: each target's apply was done by one instance,
    // and no attempt of one failed and was redone by the other.
    expect(
      await db().rolloutEvent.count({
        where: { rolloutId: { in: ids }, step: { startsWith: "target.attempt-failed." } },
      }),
    ).toBe(0);
  }, 420_000);
});
