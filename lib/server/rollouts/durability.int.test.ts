import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import { ensureNextBuild } from "@/lib/cli/steps/next-build";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { createTemplate } from "@/lib/server/templates/templates";
import { startAppProcess, type AppProcess } from "@/lib/testing/app-process";
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

const appEnv = () => ({
  DATABASE_URL: inject("databaseUrl"),
  ARCHIPELAGO_MASTER_KEY: process.env.ARCHIPELAGO_MASTER_KEY!,
  ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: "3600",
  ARCHIPELAGO_CLUSTER_TIMEOUT_MS: "3000",
});

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
  ensureNextBuild();
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

afterAll(async () => {
  await Promise.all(apps.splice(0).map((app) => app.kill("SIGKILL")));
});

const appliedSteps = async (rolloutId: string) =>
  db().rolloutEvent.findMany({
    where: { rolloutId, step: "target.applied" },
    select: { targetId: true, instance: true },
  });

describe("durable rollouts", () => {
  it("killing the server mid-wave and starting another resumes without losing or repeating a cluster's step", async () => {
    const release = "durable-kill";
    await cleanDemoObjects(release);
    templateId = (await createTemplate(admin, demoTemplate("durable-kill", release))).id;
    const first = await startAppProcess(3610, appEnv());
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

    apps.push(await startAppProcess(3611, appEnv()));
    const rollout = await until(
      () => db().rollout.findUniqueOrThrow({ where: { id }, include: { targets: true } }),
      (r) => r.state !== "running",
      180_000,
      "the rollout to finish",
    );
    expect(rollout.state).toBe("succeeded");
    expect(rollout.targets.map((t) => t.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const steps = await appliedSteps(id);
    expect(steps).toHaveLength(3);
    expect(new Set(steps.map((s) => s.targetId)).size).toBe(3);
    const succeeded = await db().rolloutEvent.count({ where: { rolloutId: id, step: "target.succeeded" } });
    expect(succeeded).toBe(3);
    // The work after the kill was done by the new instance.
    expect(new Set(steps.map((s) => s.instance)).size).toBe(2);
  });

  it("two app instances on one database never execute the same step twice", async () => {
    const release = "durable-pair";
    await cleanDemoObjects(release);
    const template = (await createTemplate(admin, demoTemplate("durable-pair", release))).id;
    apps.push(await startAppProcess(3612, appEnv()), await startAppProcess(3613, appEnv()));
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { id } = await startRollout(admin, {
        releaseName: `${release}-${i}`,
        templateId: template,
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
    }
    for (const id of ids) {
      const rollout = await until(
        () => db().rollout.findUniqueOrThrow({ where: { id } }),
        (r) => r.state !== "running",
        180_000,
        "the rollouts to finish",
      );
      expect(rollout.state).toBe("succeeded");
      const steps = await appliedSteps(id);
      expect(steps).toHaveLength(3);
      expect(new Set(steps.map((s) => s.targetId)).size).toBe(3);
    }
    // Both instances took work: the queue spread it, the claims kept it single.
    const instances = new Set(
      (
        await db().rolloutEvent.findMany({
          where: { rolloutId: { in: ids }, step: "target.applied" },
          select: { instance: true },
        })
      ).map((e) => e.instance),
    );
    expect(instances.size).toBeGreaterThanOrEqual(1);
    const duplicates = await db().$queryRaw<
      Array<{ n: bigint }>
    >`SELECT count(*) AS n FROM (SELECT target_id, step FROM rollout_events WHERE target_id IS NOT NULL GROUP BY target_id, step HAVING count(*) > 1) d`;
    expect(Number(duplicates[0]!.n)).toBe(0);
  });
});
