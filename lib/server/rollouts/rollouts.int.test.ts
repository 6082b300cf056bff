import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fault, type Testbed } from "@/testbed/harness";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/errors/app-error";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { deleteCluster } from "@/lib/server/clusters/update";
import { checkReleaseDrift } from "@/lib/server/releases/drift";
import { executor } from "@/lib/server/releases/hub-push";
import { createTemplate, saveRevision } from "@/lib/server/templates/templates";
import { resetDatabase } from "@/lib/testing/reset-database";
import { demoTemplate } from "@/lib/testing/rollout-fixtures";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { controlRollout } from "./control";
import { startRollout } from "./create";
import { runTarget } from "./engine";
import { previewRollout } from "./preview";
import { getRollout } from "./queries";
import { startRolloutWorker, type RolloutWorker } from "./worker";

let tb: Testbed;
let admin: AccessProfile;
let clusters: Record<string, string>;
let worker: RolloutWorker;
let templateId: string;

async function waitForRollout(id: string, accept: (state: string) => boolean, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rollout = await getRollout(admin, id);
    if (accept(rollout.state) || Date.now() > until) return rollout;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function read(clusterName: string, path: string) {
  const transport = await transportFor(clusters[clusterName]!);
  return transport.json<{
    data?: Record<string, string>;
    spec?: { replicas?: number; template?: { spec?: { containers?: Array<{ image: string }> } } };
    metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  }>({ method: "GET", path });
}

beforeAll(async () => {
  tb = await testbed();
  process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = "3000";
  resetEnvForTests();
  forgetAllTransports();
  await resetDatabase();
  const user = await createTestUser({ isAdmin: true, email: "sre@example.com" });
  admin = await loadAccessProfile({ user, via: "session" });
  clusters = {};
  for (const [index, region] of [
    [1, "eu"],
    [2, "us"],
    [3, "ap"],
  ] as const) {
    const created = await registerCluster(
      registrationFor(tb, `testbed-${index}`, `rc-${index}`, {
        labels: { region, canary: index === 1 ? "yes" : "no" },
      }),
    );
    clusters[`rc-${index}`] = created.id;
    // A clean slate: earlier runs may have left the demo objects behind.
    const transport = await transportFor(created.id);
    for (const path of [
      "configmaps/demo-config",
      "secrets/demo-secret",
      "serviceaccounts/demo-sa",
      "services/demo-svc",
    ])
      await transport.request({ method: "DELETE", path: `/api/v1/namespaces/team-a/${path}` });
    await transport.request({ method: "DELETE", path: "/apis/apps/v1/namespaces/team-a/deployments/demo-web" });
  }
  worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
  templateId = (await createTemplate(admin, demoTemplate("demo"))).id;
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await fault("testbed-3", "resume");
  delete process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  resetEnvForTests();
});

const base = (overrides: Record<string, unknown> = {}) => ({
  releaseName: "demo",
  templateId,
  revision: 1,
  params: { image: "registry.local/demo:1.0", replicas: 1 },
  targets: { selector: "region in (eu,us,ap)", clusterIds: [] },
  strategy: { kind: "all" as const },
  healthGate: { timeoutSeconds: 60 },
  tolerateFailures: 0,
  autoRollback: true,
  takeOwnership: false,
  ...overrides,
});

describe("rollouts against real clusters", () => {
  it("previews every cluster with a server-side dry-run and creates nothing", async () => {
    const preview = await previewRollout(admin, base());
    expect(preview.clusters.map((c) => [c.clusterName, c.counts.create, c.counts.problems, c.error])).toEqual([
      ["rc-1", 5, 0, null],
      ["rc-2", 5, 0, null],
      ["rc-3", 5, 0, null],
    ]);
    expect(preview.clusters[0]!.manifests).not.toContain("rendered-for-rc-1");
    expect(
      (
        await (
          await transportFor(clusters["rc-1"]!)
        ).request({ method: "GET", path: "/api/v1/namespaces/team-a/configmaps/demo-config" })
      ).status,
    ).toBe(404);
  });

  it("applies to all clusters at once; the objects exist with the rendered values", async () => {
    const { id } = await startRollout(admin, base());
    const rollout = await waitForRollout(id, (s) => s !== "running");
    expect(rollout.state).toBe("succeeded");
    expect(rollout.targets.map((t) => t.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
    for (const [name, region] of [
      ["rc-1", "eu"],
      ["rc-2", "us"],
      ["rc-3", "ap"],
    ] as const) {
      const config = await read(name, "/api/v1/namespaces/team-a/configmaps/demo-config");
      expect(config.data).toEqual({ greeting: "hello", cluster: name, region });
      expect(config.metadata.labels?.["archipelago.dev/release"]).toBe(rollout.release.id);
      expect(config.metadata.annotations?.["archipelago.dev/revision"]).toBe("1");
      const deployment = await read(name, "/apis/apps/v1/namespaces/team-a/deployments/demo-web");
      expect(deployment.spec?.template?.spec?.containers?.[0]?.image).toBe("registry.local/demo:1.0");
    }
    const release = await db().releaseCluster.findMany({ where: { releaseId: rollout.release.id } });
    expect(release.map((r) => r.revisionNumber)).toEqual([1, 1, 1]);
  });

  it("a failing canary stops the rollout before wave 2 and is rolled back", async () => {
    // Revision 2 makes pods fail, but only where the override applies: the canary.
    const revision2 = {
      ...demoTemplate("demo"),
      message: "canary breaks",
      overrides: [
        {
          selector: "canary=yes",
          target: { kind: "Deployment", name: "demo-web" },
          patch: { spec: { template: { metadata: { labels: { "testbed.archipelago.dev/fail": "true" } } } } },
        },
      ],
    };
    await saveRevision(admin, templateId, revision2);
    const { id } = await startRollout(
      admin,
      base({
        revision: 2,
        params: { image: "registry.local/demo:2.0" },
        strategy: { kind: "waves", batchSize: 2, canaryClusterIds: [clusters["rc-1"]], bakeSeconds: 0 },
        healthGate: { timeoutSeconds: 15 },
      }),
    );
    const rollout = await waitForRollout(id, (s) => s === "rolled_back" || s === "failed" || s === "succeeded");
    expect(rollout.state).toBe("rolled_back");
    expect(Object.fromEntries(rollout.targets.map((t) => [t.clusterName, t.state]))).toEqual({
      "rc-1": "rolled_back",
      "rc-2": "skipped",
      "rc-3": "skipped",
    });
    expect(rollout.targets[0]!.error).toMatch(/Health gate timed out/);
    // The canary is back on revision 1; wave 2 was never touched.
    for (const name of ["rc-1", "rc-2", "rc-3"] as const) {
      const deployment = await read(name, "/apis/apps/v1/namespaces/team-a/deployments/demo-web");
      expect(deployment.spec?.template?.spec?.containers?.[0]?.image).toBe("registry.local/demo:1.0");
      expect(deployment.metadata.annotations?.["archipelago.dev/revision"]).toBe("1");
    }
  });

  it("a cluster stopped mid-rollout fails alone under the tolerate policy", async () => {
    await fault("testbed-3", "stop");
    try {
      const { id } = await startRollout(
        admin,
        base({ params: { image: "registry.local/demo:1.1" }, tolerateFailures: 1, autoRollback: false }),
      );
      const rollout = await waitForRollout(id, (s) => s !== "running");
      expect(rollout.state).toBe("succeeded");
      expect(Object.fromEntries(rollout.targets.map((t) => [t.clusterName, t.state]))).toEqual({
        "rc-1": "succeeded",
        "rc-2": "succeeded",
        "rc-3": "failed",
      });
      expect(rollout.targets.find((t) => t.clusterName === "rc-3")!.error).toMatch(/Connection refused/);
    } finally {
      await fault("testbed-3", "resume");
    }
    expect(
      (await read("rc-2", "/apis/apps/v1/namespaces/team-a/deployments/demo-web")).spec?.template?.spec?.containers?.[0]
        ?.image,
    ).toBe("registry.local/demo:1.1");
  });

  it("drift made with kubectl is detected and healed", async () => {
    const release = await db().release.findFirstOrThrow({ where: { name: "demo" } });
    const transport = await transportFor(clusters["rc-2"]!);
    await transport.json({
      method: "PATCH",
      path: "/api/v1/namespaces/team-a/configmaps/demo-config",
      body: { data: { greeting: "hacked" } },
      contentType: "application/merge-patch+json",
      query: { fieldManager: "kubectl-edit" },
    });
    const checked = await checkReleaseDrift(release.id, { heal: false });
    expect(checked.find((c) => c.clusterId === clusters["rc-2"])).toMatchObject({
      state: "drifted",
      drift: [{ kind: "ConfigMap", name: "demo-config", problem: "taken-over", managers: ["kubectl-edit"] }],
    });
    expect(checked.find((c) => c.clusterId === clusters["rc-1"])?.state).toBe("in_sync");
    const healed = await checkReleaseDrift(release.id, { heal: true });
    expect(healed.find((c) => c.clusterId === clusters["rc-2"])?.state).toBe("in_sync");
    expect((await read("rc-2", "/api/v1/namespaces/team-a/configmaps/demo-config")).data?.greeting).toBe("hello");
  });

  it("refuses a rollout (and a preview) to more targets than ARCHIPELAGO_MAX_ROLLOUT_TARGETS, naming the number and the maximum", async () => {
    const before = await db().rollout.count();
    process.env.ARCHIPELAGO_MAX_ROLLOUT_TARGETS = "2";
    resetEnvForTests();
    try {
      // A selector resolves to all three clusters: the count is of the resolved set.
      const request = base({ targets: { selector: "region in (eu,us,ap)", clusterIds: [] } });
      for (const attempt of [() => startRollout(admin, request), () => previewRollout(admin, request)]) {
        const error = await attempt().then(
          () => null,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).status).toBe(400);
        expect((error as AppError).options.fields?.targets?.join(" ")).toMatch(
          /would target 3 clusters; at most 2 are allowed \(ARCHIPELAGO_MAX_ROLLOUT_TARGETS\)/,
        );
      }
      // Two targets are within the maximum: the same request with a list of two gets past the check.
      await expect(
        previewRollout(admin, base({ targets: { selector: null, clusterIds: [clusters["rc-1"], clusters["rc-2"]] } })),
      ).resolves.toHaveProperty("clusters");
    } finally {
      delete process.env.ARCHIPELAGO_MAX_ROLLOUT_TARGETS;
      resetEnvForTests();
    }
    expect(await db().rollout.count()).toBe(before);
  });

  it("refuses bad input with the field named and starts nothing", async () => {
    const before = await db().rollout.count();
    const failure = async (request: Record<string, unknown>, as: AccessProfile = admin) => {
      try {
        await startRollout(as, base(request));
      } catch (error) {
        if (error instanceof AppError) return error.options.fields ?? {};
      }
      throw new Error("expected a validation failure");
    };
    expect(await failure({ params: { image: "NOT VALID!" } })).toHaveProperty(["params.image"]);
    expect(await failure({ params: { replicas: 99 } })).toHaveProperty(["params.replicas"]);
    expect(await failure({ targets: { selector: "region=mars", clusterIds: [] } })).toHaveProperty([
      "targets.selector",
    ]);
    expect(await failure({ targets: { selector: null, clusterIds: [] } })).toHaveProperty(["targets"]);

    // A deployer of team-a on rc-1 only: other namespaces and clusters are refused.
    const team = await db().team.create({
      data: {
        name: "deployers",
        grants: { create: { clusterIds: [clusters["rc-1"]!], namespaces: ["team-a"], level: "deploy" } },
      },
    });
    const user = await createTestUser({ email: "deployer@example.com" });
    await db().membership.create({ data: { teamId: team.id, userId: user.id } });
    const deployer = await loadAccessProfile({ user, via: "session" });
    expect(
      (
        await failure(
          {
            params: { image: "registry.local/x:1", namespace: "kube-system" },
            targets: { selector: null, clusterIds: [clusters["rc-1"]] },
          },
          deployer,
        )
      ).targets?.join(" "),
    ).toMatch(/may not deploy to namespace kube-system/);
    expect(await failure({ targets: { selector: null, clusterIds: [clusters["rc-2"]] } }, deployer)).toHaveProperty([
      "targets.clusterIds.0",
    ]);
    expect(await failure({ targets: { selector: "region=us", clusterIds: [] } }, deployer)).toHaveProperty([
      "targets.selector",
    ]);
    expect(await db().rollout.count()).toBe(before);
  });

  it("a pause holds queued targets (nothing reaches their clusters) and a cluster in flight cannot be deleted; resume finishes", async () => {
    const paused = (await createTemplate(admin, demoTemplate("paused", "paused"))).id;
    // A clean slate: an earlier run leaves its objects behind.
    for (const name of ["rc-1", "rc-2", "rc-3"]) {
      const transport = await transportFor(clusters[name]!);
      for (const path of [
        "configmaps/paused-config",
        "secrets/paused-secret",
        "serviceaccounts/paused-sa",
        "services/paused-svc",
      ])
        await transport.request({ method: "DELETE", path: `/api/v1/namespaces/team-a/${path}` });
      await transport.request({ method: "DELETE", path: "/apis/apps/v1/namespaces/team-a/deployments/paused-web" });
    }
    // No worker while the rollout starts, so its targets are queued and not yet claimed.
    await worker.stop();
    const { id } = await startRollout(admin, base({ releaseName: "paused", templateId: paused }));
    await controlRollout(admin, id, "pause");
    await expect(deleteCluster(clusters["rc-2"]!)).rejects.toMatchObject({ status: 409 });
    worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
    // Jobs sent before the pause still arrive: a worker taking each one must leave the target alone.
    const targetIds = (await db().rolloutTarget.findMany({ where: { rolloutId: id }, select: { id: true } })).map(
      (t) => t.id,
    );
    for (const targetId of targetIds) await runTarget(targetId, executor);
    for (const name of ["rc-1", "rc-2", "rc-3"]) {
      const transport = await transportFor(clusters[name]!);
      const answer = await transport.request({
        method: "GET",
        path: "/api/v1/namespaces/team-a/configmaps/paused-config",
      });
      expect(answer.status, name).toBe(404);
    }
    expect((await getRollout(admin, id)).targets.map((t) => [t.state, t.pause])).toEqual([
      ["queued", "not started: waits for resume"],
      ["queued", "not started: waits for resume"],
      ["queued", "not started: waits for resume"],
    ]);
    await controlRollout(admin, id, "resume");
    expect((await waitForRollout(id, (s) => s !== "running")).state).toBe("succeeded");
    for (const name of ["rc-1", "rc-2", "rc-3"])
      expect((await read(name, "/api/v1/namespaces/team-a/configmaps/paused-config")).data?.cluster).toBe(name);
  });
});
