import { beforeAll, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import * as releaseDriftRoute from "@/app/api/v1/releases/[id]/drift/route";
import * as releaseRollbackRoute from "@/app/api/v1/releases/[id]/rollback/route";
import * as releaseRoute from "@/app/api/v1/releases/[id]/route";
import * as releasesRoute from "@/app/api/v1/releases/route";
import * as rolloutActionRoute from "@/app/api/v1/rollouts/[id]/[action]/route";
import * as rolloutRoute from "@/app/api/v1/rollouts/[id]/route";
import * as previewRoute from "@/app/api/v1/rollouts/preview/route";
import * as rolloutsRoute from "@/app/api/v1/rollouts/route";
import * as templateDiffRoute from "@/app/api/v1/templates/[id]/diff/route";
import * as templateRevisionRoute from "@/app/api/v1/templates/[id]/revisions/[number]/route";
import * as templateRoute from "@/app/api/v1/templates/[id]/route";
import * as lintRoute from "@/app/api/v1/templates/lint/route";
import * as templatesRoute from "@/app/api/v1/templates/route";
import { createSession } from "@/lib/server/auth/sessions";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { db } from "@/lib/server/db/client";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { DEMO_SCHEMA, demoTemplate } from "@/lib/testing/rollout-fixtures";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";

/**
 * Issue #11: every decision about a rollout, release or template is made over everything it
 * covers, and nothing a caller can reach tells them about clusters, namespaces or objects
 * outside their grants. Three real clusters, two teams:
 * - team A: deploy on the env=dev clusters, namespaces team-a*
 * - team B: view on the env=prod cluster, every namespace
 * Every check reads back through the API servers that nothing changed.
 */

let tb: Testbed;
const ids = { dev1: "", dev2: "", prod: "" };
const users = { a: "", b: "", loner: "", admin: "" };
const teams = { a: "", b: "" };
let globalTemplate: { id: string; revisionId: string };
let teamBTemplate: string;

const session = async (email: string, isAdmin = false, teamId?: string) => {
  const user = await createTestUser({ email, isAdmin });
  if (teamId) await db().membership.create({ data: { teamId, userId: user.id } });
  return (await createSession(user.id, { clientIp: "127.0.0.1", userAgent: "resource-policy" })).token;
};

/** A ConfigMap as the API server has it (its data and resourceVersion), read with Archipelago's admin credential. */
async function readConfigMap(clusterId: string, namespace: string, name: string) {
  const transport = await transportFor(clusterId);
  return transport.json<{ data?: Record<string, string>; metadata: { resourceVersion: string } }>({
    method: "GET",
    path: `/api/v1/namespaces/${namespace}/configmaps/${name}`,
  });
}

async function putConfigMap(clusterId: string, namespace: string, name: string, data: Record<string, string>) {
  const transport = await transportFor(clusterId);
  await transport.request({
    method: "PATCH",
    path: `/api/v1/namespaces/${namespace}/configmaps/${name}`,
    query: { fieldManager: "kubectl", force: true },
    body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data },
    contentType: "application/apply-patch+yaml",
  });
}

/** A release and a running two-wave rollout of the global template, written as the engine would have. */
async function seedRelease(input: {
  name: string;
  teamId: string | null;
  namespace: string;
  clusters: string[];
  canary?: string;
}) {
  const configName = `${input.name}-config`;
  const release = await db().release.create({
    data: { name: input.name, templateId: globalTemplate.id, teamId: input.teamId },
  });
  for (const clusterId of input.clusters) {
    await putConfigMap(clusterId, input.namespace, configName, { greeting: "desired" });
    await db().releaseCluster.create({
      data: {
        releaseId: release.id,
        clusterId,
        revisionId: globalTemplate.revisionId,
        revisionNumber: 1,
        params: { image: "registry.local/demo:1.0", namespace: input.namespace },
        objects: [{ apiVersion: "v1", kind: "ConfigMap", namespace: input.namespace, name: configName }],
        appliedAt: new Date(),
      },
    });
  }
  const waves = input.canary ? [[input.canary], input.clusters.filter((c) => c !== input.canary)] : [input.clusters];
  const rollout = await db().rollout.create({
    data: {
      teamId: input.teamId,
      releaseId: release.id,
      revisionId: globalTemplate.revisionId,
      params: { image: "registry.local/demo:1.0", namespace: input.namespace },
      strategy: {
        kind: "waves",
        batchSize: 2,
        canaryClusterIds: input.canary ? [input.canary] : [],
        bakeSeconds: 3600,
      },
      healthGate: { timeoutSeconds: 60 },
      createdByEmail: "admin@example.com",
      createdById: null,
      state: "running",
      currentWave: 0,
      message: input.canary ? `canary ${input.canary} baking` : null,
      waves: {
        create: waves.map((_, index) => ({
          index,
          state: index === 0 ? "baking" : "pending",
          bakeUntil: index === 0 ? new Date(Date.now() + 3_600_000) : null,
        })),
      },
      targets: {
        create: waves.flatMap((clusterIds, waveIndex) =>
          clusterIds.map((clusterId) => ({
            clusterId,
            clusterName: Object.entries(ids).find(([, id]) => id === clusterId)![0],
            waveIndex,
            state: waveIndex === 0 ? "succeeded" : "pending",
            scope: [{ namespace: input.namespace, level: "deploy" }],
            objects:
              waveIndex === 0
                ? [{ kind: "ConfigMap", namespace: input.namespace, name: configName, action: "configured" }]
                : [],
          })),
        ),
      },
    },
    include: { targets: true },
  });
  const canaryTarget = rollout.targets.find((t) => t.clusterId === input.canary);
  await db().rolloutEvent.createMany({
    data: [
      { rolloutId: rollout.id, step: "wave.0.started", instance: "test", details: {} },
      ...(canaryTarget
        ? [
            {
              rolloutId: rollout.id,
              targetId: canaryTarget.id,
              step: "target.applied",
              instance: "test",
              details: { objects: 1, clusterId: canaryTarget.clusterId },
            },
          ]
        : []),
    ],
  });
  return { release: release.id, rollout: rollout.id, configName };
}

const forbiddenNames = () => [ids.prod, "prod-1", "platform"];

function expectNothingForeign(body: unknown) {
  const text = JSON.stringify(body);
  for (const name of forbiddenNames()) expect(text).not.toContain(name);
}

beforeAll(async () => {
  tb = await testbed();
  await resetDatabase();
  const dev1 = await registerCluster(registrationFor(tb, "testbed-1", "dev-1", { labels: { env: "dev" } }));
  const dev2 = await registerCluster(registrationFor(tb, "testbed-2", "dev-2", { labels: { env: "dev" } }));
  const prod = await registerCluster(registrationFor(tb, "testbed-3", "prod-1", { labels: { env: "prod" } }));
  Object.assign(ids, { dev1: dev1.id, dev2: dev2.id, prod: prod.id });
  for (const id of Object.values(ids)) {
    const transport = await transportFor(id);
    await transport.request({
      method: "POST",
      path: "/api/v1/namespaces",
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "platform" } },
    });
  }

  teams.a = (await db().team.create({ data: { name: "team-a" } })).id;
  teams.b = (await db().team.create({ data: { name: "team-b" } })).id;
  await db().grant.create({
    data: {
      teamId: teams.a,
      clusterSelector: "env=dev",
      namespaces: ["team-a*"],
      level: "deploy",
      secrets: "metadata",
    },
  });
  await db().grant.create({ data: { teamId: teams.b, clusterIds: [ids.prod], namespaces: ["*"], level: "view" } });
  users.a = await session("a@example.com", false, teams.a);
  users.b = await session("b@example.com", false, teams.b);
  users.loner = await session("loner@example.com");
  users.admin = await session("admin@example.com", true);

  const created = await callRoute(templatesRoute.POST, {
    method: "POST",
    path: "/api/v1/templates",
    body: demoTemplate("shared-config"),
    session: users.admin,
  });
  expect(created.status).toBe(201);
  const template = (created.body as { template: { id: string; latest: { id: string } } }).template;
  globalTemplate = { id: template.id, revisionId: template.latest.id };
  teamBTemplate = (
    await db().template.create({
      data: {
        teamId: teams.b,
        name: "team-b-secret-sauce",
        revisions: {
          create: {
            number: 1,
            schema: DEMO_SCHEMA,
            body: "kind: ConfigMap",
            overrides: [],
            authorEmail: "b@example.com",
          },
        },
      },
    })
  ).id;
}, 300_000);

describe("steering is decided over every cluster and namespace", () => {
  it("pause, resume and abort of a rollout that also covers prod: 403 for team A, nothing changes; admin may", async () => {
    const seeded = await seedRelease({
      name: "steer",
      teamId: null,
      namespace: "team-a",
      clusters: [ids.prod, ids.dev1, ids.dev2],
      canary: ids.prod,
    });
    for (const action of ["pause", "resume", "abort"]) {
      const answer = await callRoute(rolloutActionRoute.POST, {
        method: "POST",
        path: `/api/v1/rollouts/${seeded.rollout}/${action}`,
        params: { id: seeded.rollout, action },
        session: users.a,
      });
      expect(answer.status, action).toBe(403);
      expectNothingForeign(answer.body);
    }
    expect((await db().rollout.findUniqueOrThrow({ where: { id: seeded.rollout } })).state).toBe("running");
    // Team B sees prod only, at view: visible, not steerable.
    const byB = await callRoute(rolloutActionRoute.POST, {
      method: "POST",
      path: `/api/v1/rollouts/${seeded.rollout}/pause`,
      params: { id: seeded.rollout, action: "pause" },
      session: users.b,
    });
    expect(byB.status).toBe(403);
    const byAdmin = await callRoute(rolloutActionRoute.POST, {
      method: "POST",
      path: `/api/v1/rollouts/${seeded.rollout}/pause`,
      params: { id: seeded.rollout, action: "pause" },
      session: users.admin,
    });
    expect(byAdmin.status).toBe(200);
    // Bad input: pausing twice, resuming... each a clear 4xx, nothing changed.
    const twice = await callRoute(rolloutActionRoute.POST, {
      method: "POST",
      path: `/api/v1/rollouts/${seeded.rollout}/pause`,
      params: { id: seeded.rollout, action: "pause" },
      session: users.admin,
    });
    expect(twice.status).toBe(409);
    const audit = await db().auditEvent.findMany({
      where: { action: "rollout.control", actorEmail: "a@example.com", result: { not: "started" } },
    });
    expect(audit).toHaveLength(3);
    expect(audit.every((row) => row.result === "denied")).toBe(true);
    for (const row of audit) expectNothingForeign({ ...row, id: String(row.id) });
  });

  it("auto-heal, drift check, heal and rollback of a release covering prod: 403, no cluster call, prod untouched", async () => {
    const seeded = await seedRelease({
      name: "heal-prod",
      teamId: null,
      namespace: "team-a",
      clusters: [ids.dev1, ids.prod],
    });
    await putConfigMap(ids.prod, "team-a", seeded.configName, { greeting: "changed by hand" });
    const before = await readConfigMap(ids.prod, "team-a", seeded.configName);
    const calls = [
      () =>
        callRoute(releaseRoute.PATCH, {
          method: "PATCH",
          path: "/x",
          params: { id: seeded.release },
          body: { autoHeal: true },
          session: users.a,
        }),
      () =>
        callRoute(releaseDriftRoute.POST, {
          method: "POST",
          path: "/x",
          params: { id: seeded.release },
          body: { heal: false },
          session: users.a,
        }),
      () =>
        callRoute(releaseDriftRoute.POST, {
          method: "POST",
          path: "/x",
          params: { id: seeded.release },
          body: { heal: true },
          session: users.a,
        }),
      () =>
        callRoute(releaseRollbackRoute.POST, {
          method: "POST",
          path: "/x",
          params: { id: seeded.release },
          body: { revision: 1 },
          session: users.a,
        }),
      // Team B only views prod: a drift check would call clusters and write drift state.
      () =>
        callRoute(releaseDriftRoute.POST, {
          method: "POST",
          path: "/x",
          params: { id: seeded.release },
          body: { heal: false },
          session: users.b,
        }),
    ];
    for (const call of calls) {
      const answer = await call();
      expect(answer.status).toBe(403);
      expectNothingForeign(answer.body);
    }
    const after = await readConfigMap(ids.prod, "team-a", seeded.configName);
    expect(after.data).toEqual({ greeting: "changed by hand" });
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const state = await db().release.findUniqueOrThrow({ where: { id: seeded.release }, include: { clusters: true } });
    expect(state.autoHeal).toBe(false);
    expect(state.clusters.every((c) => c.driftCheckedAt === null)).toBe(true);
    expect(await db().rollout.count({ where: { releaseId: seeded.release } })).toBe(1);
  });

  it("a release in a namespace outside the grant, on a cluster team A may deploy to, answers like nothing", async () => {
    const seeded = await seedRelease({
      name: "platform-rel",
      teamId: null,
      namespace: "platform",
      clusters: [ids.dev1],
    });
    await putConfigMap(ids.dev1, "platform", seeded.configName, { greeting: "changed by hand" });
    const before = await readConfigMap(ids.dev1, "platform", seeded.configName);
    const missing = "00000000-0000-4000-8000-000000000000";
    const strip = (body: unknown) => ({ ...(body as { error: object }).error, requestId: undefined });
    const answers = [];
    for (const id of [seeded.release, missing]) {
      const read = await callRoute(releaseRoute.GET, { path: "/x", params: { id }, session: users.a });
      const heal = await callRoute(releaseDriftRoute.POST, {
        method: "POST",
        path: "/x",
        params: { id },
        body: { heal: true },
        session: users.a,
      });
      expect(read.status).toBe(404);
      expect(heal.status).toBe(404);
      answers.push([strip(read.body), strip(heal.body)]);
    }
    expect(answers[0]).toEqual(answers[1]);
    const rollout = await callRoute(rolloutRoute.GET, { path: "/x", params: { id: seeded.rollout }, session: users.a });
    const nothing = await callRoute(rolloutRoute.GET, { path: "/x", params: { id: missing }, session: users.a });
    expect(rollout.status).toBe(404);
    expect(strip(rollout.body)).toEqual(strip(nothing.body));
    expect((await readConfigMap(ids.dev1, "platform", seeded.configName)).metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    const lists = [
      await callRoute(releasesRoute.GET, { path: "/api/v1/releases", session: users.a }),
      await callRoute(rolloutsRoute.GET, { path: "/api/v1/rollouts", session: users.a }),
    ];
    for (const list of lists) expect(JSON.stringify(list.body)).not.toContain("platform-rel");
  });
});

describe("reads are cut, not just filtered", () => {
  it("a rollout over dev and prod shows team A its dev part only, and team B its prod part only", async () => {
    const seeded = await seedRelease({
      name: "cut",
      teamId: null,
      namespace: "team-a",
      clusters: [ids.prod, ids.dev1, ids.dev2],
      canary: ids.prod,
    });
    const forA = await callRoute(rolloutRoute.GET, { path: "/x", params: { id: seeded.rollout }, session: users.a });
    expect(forA.status).toBe(200);
    const rollout = (forA.body as { rollout: Record<string, unknown> }).rollout as {
      targets: Array<{ clusterId: string; wave: number }>;
      waves: Array<{ index: number; state: string }>;
      strategy: { canaryClusterIds: string[] };
      events: Array<{ targetId: string | null; step: string }>;
      currentWave: number;
      message: string | null;
    };
    expect(rollout.targets.map((t) => t.clusterId).sort()).toEqual([ids.dev1, ids.dev2].sort());
    // The prod canary's baking wave is gone and the dev wave is the first the caller sees.
    expect(rollout.waves).toEqual([expect.objectContaining({ index: 0, state: "pending" })]);
    expect(rollout.targets.every((t) => t.wave === 0)).toBe(true);
    expect(rollout.strategy.canaryClusterIds).toEqual([]);
    expect(rollout.events.every((e) => e.targetId === null)).toBe(true);
    expect(rollout.message).toBeNull();
    expectNothingForeign(forA.body);

    const list = await callRoute(rolloutsRoute.GET, { path: "/api/v1/rollouts", session: users.a });
    const row = (list.body as { rollouts: Array<{ id: string; targets: number }> }).rollouts.find(
      (r) => r.id === seeded.rollout,
    );
    expect(row?.targets).toBe(2);
    expectNothingForeign(list.body);

    const forB = await callRoute(rolloutRoute.GET, { path: "/x", params: { id: seeded.rollout }, session: users.b });
    const cutForB = (forB.body as { rollout: { targets: Array<{ clusterId: string }> } }).rollout;
    expect(cutForB.targets.map((t) => t.clusterId)).toEqual([ids.prod]);
    expect(JSON.stringify(forB.body)).not.toContain(ids.dev1);

    const release = await callRoute(releaseRoute.GET, { path: "/x", params: { id: seeded.release }, session: users.a });
    expect(release.status).toBe(200);
    expect((release.body as { release: { clusters: unknown[] } }).release.clusters).toHaveLength(2);
    expectNothingForeign(release.body);
  });

  it("a release name says nothing about other teams: team A's 'web' is its own, team B's is untouched", async () => {
    const bRelease = await seedRelease({ name: "web", teamId: teams.b, namespace: "team-a", clusters: [ids.prod] });
    const preview = (releaseName: string) =>
      callRoute(previewRoute.POST, {
        method: "POST",
        path: "/api/v1/rollouts/preview",
        body: {
          releaseName,
          templateId: globalTemplate.id,
          revision: 1,
          params: { image: "registry.local/demo:1.0" },
          targets: { clusterIds: [ids.dev1] },
        },
        session: users.a,
      });
    const taken = await preview("web");
    const free = await preview("never-used-name");
    expect(taken.status).toBe(200);
    expect(free.status).toBe(200);
    // Same answer shape: nothing to prune from another team's release, no "belongs to another template".
    const shape = (body: unknown) =>
      (body as { clusters: Array<{ counts: object; objects: Array<{ action: string }> }> }).clusters.map((c) => ({
        counts: c.counts,
        actions: c.objects.map((o) => o.action),
      }));
    expect(shape(taken.body)).toEqual(shape(free.body));
    expectNothingForeign(taken.body);
    // Team B's release did not gain a rollout and keeps its parameters.
    expect(await db().rollout.count({ where: { releaseId: bRelease.release } })).toBe(1);
  });

  it("templates belong to teams: another team's template and its revisions answer like nothing; no team sees none", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    const strip = (body: unknown) => ({ ...(body as { error: object }).error, requestId: undefined });
    const list = await callRoute(templatesRoute.GET, { path: "/api/v1/templates", session: users.a });
    const names = (list.body as { templates: Array<{ name: string }> }).templates.map((t) => t.name);
    expect(names).toEqual(["shared-config"]);
    for (const [handler, extra, query] of [
      [templateRoute.GET, {}, ""],
      [templateRevisionRoute.GET, { number: "1" }, ""],
      [templateDiffRoute.GET, {}, "?from=1&to=1"],
    ] as const) {
      const theirs = await callRoute(handler, {
        path: `/x${query}`,
        params: { id: teamBTemplate, ...extra },
        session: users.a,
      });
      const nothing = await callRoute(handler, {
        path: `/x${query}`,
        params: { id: missing, ...extra },
        session: users.a,
      });
      expect(theirs.status).toBe(404);
      expect(strip(theirs.body)).toEqual(strip(nothing.body));
    }
    const loner = await callRoute(templatesRoute.GET, { path: "/api/v1/templates", session: users.loner });
    expect((loner.body as { templates: unknown[] }).templates).toEqual([]);
    const lonerRead = await callRoute(templateRoute.GET, {
      path: "/x",
      params: { id: globalTemplate.id },
      session: users.loner,
    });
    expect(lonerRead.status).toBe(404);
    // Using another team's template to start a rollout is refused like an unknown template.
    const start = await callRoute(rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      body: { releaseName: "borrowed", templateId: teamBTemplate, revision: 1, targets: { clusterIds: [ids.dev1] } },
      session: users.a,
    });
    expect(start.status).toBe(400);
    expect((start.body as { error: { fields: Record<string, string[]> } }).error.fields.templateId).toEqual([
      "No template with this id",
    ]);
  });
});

describe("scope comes from the cluster's discovery, not a list", () => {
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "gadgets.policy-test.archipelago.dev" },
    spec: {
      group: "policy-test.archipelago.dev",
      scope: "Cluster",
      names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  };
  const gadget = `apiVersion: policy-test.archipelago.dev/v1
kind: Gadget
metadata:
  name: sneaky
spec:
  size: 1
`;

  it("a cluster-scoped custom kind, served by the cluster and in no list, needs manage: deploy-only is refused", async () => {
    const transport = await transportFor(ids.dev1);
    const installed = await transport.request({
      method: "PATCH",
      path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      query: { fieldManager: "policy-test", force: true },
      body: crd,
      contentType: "application/apply-patch+yaml",
    });
    expect(installed.status).toBeLessThan(300);
    // Wait for the API server to serve the new kind (discovery answers), not a fixed time.
    for (let attempt = 0; ; attempt++) {
      const served = await transport.request({ method: "GET", path: "/apis/policy-test.archipelago.dev/v1" });
      if (served.status === 200) break;
      if (attempt > 100) throw new Error("the CRD was never served");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const body = { schema: { type: "object", properties: {} }, body: gadget, overrides: [], sampleClusterId: ids.dev1 };
    const lint = await callRoute(lintRoute.POST, {
      method: "POST",
      path: "/api/v1/templates/lint",
      body,
      session: users.a,
    });
    expect(lint.status).toBe(200);
    expect((lint.body as { problems: { body?: string[] } }).problems.body?.join("\n")).toMatch(
      /Gadget sneaky: cluster-scoped objects need "manage"/,
    );
    const save = await callRoute(templatesRoute.POST, {
      method: "POST",
      path: "/api/v1/templates",
      body: { ...body, name: "gadgets" },
      session: users.a,
    });
    expect(save.status).toBe(400);
    // Admin-made, then used by team A: refused at preview and start, nothing created.
    const saved = await callRoute(templatesRoute.POST, {
      method: "POST",
      path: "/api/v1/templates",
      body: { ...body, name: "gadgets" },
      session: users.admin,
    });
    expect(saved.status).toBe(201);
    const templateId = (saved.body as { template: { id: string } }).template.id;
    const request = { releaseName: "gadgets", templateId, revision: 1, targets: { clusterIds: [ids.dev1] } };
    for (const handler of [previewRoute.POST, rolloutsRoute.POST]) {
      const answer = await callRoute(handler, { method: "POST", path: "/x", body: request, session: users.a });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toMatch(/cluster-scoped objects need/);
    }
    const after = await transport.request({
      method: "GET",
      path: "/apis/policy-test.archipelago.dev/v1/gadgets/sneaky",
    });
    expect(after.status).toBe(404);
  });

  it("a CRD and its custom resource in one template: the kind's scope comes from the CRD itself", async () => {
    const body = {
      schema: { type: "object", properties: {} },
      body: `${JSON.stringify({ ...crd, metadata: { name: "widgets.policy-test.archipelago.dev" }, spec: { ...crd.spec, names: { plural: "widgets", singular: "widget", kind: "Widget" } } })}\n---\n${gadget.replace("Gadget", "Widget")}`,
      overrides: [],
      sampleClusterId: ids.dev1,
    };
    const lint = await callRoute(lintRoute.POST, {
      method: "POST",
      path: "/api/v1/templates/lint",
      body,
      session: users.a,
    });
    const problems = (lint.body as { problems: { body?: string[] } }).problems.body?.join("\n") ?? "";
    expect(problems).toMatch(
      /CustomResourceDefinition widgets\.policy-test\.archipelago\.dev: cluster-scoped objects need/,
    );
    expect(problems).toMatch(/Widget sneaky: cluster-scoped objects need/);
  });

  it("a kind the cluster does not serve is refused, naming the kind", async () => {
    const body = {
      schema: { type: "object", properties: {} },
      body: "apiVersion: nowhere.archipelago.dev/v1\nkind: Phantom\nmetadata:\n  name: x\n  namespace: team-a\n",
      overrides: [],
      sampleClusterId: ids.dev1,
    };
    const lint = await callRoute(lintRoute.POST, {
      method: "POST",
      path: "/api/v1/templates/lint",
      body,
      session: users.admin,
    });
    expect((lint.body as { problems: { body?: string[] } }).problems.body?.join("\n")).toMatch(
      /the cluster does not serve Phantom in nowhere\.archipelago\.dev\/v1/,
    );
  });
});

describe("bad input", () => {
  it("unknown or malformed ids and actions are 404; steering a finished rollout is 409", async () => {
    const seeded = await seedRelease({ name: "bad-input", teamId: null, namespace: "team-a", clusters: [ids.dev1] });
    const act = (id: string, action: string, as = users.admin) =>
      callRoute(rolloutActionRoute.POST, { method: "POST", path: "/x", params: { id, action }, session: as });
    expect((await act("not-a-uuid", "pause")).status).toBe(404);
    expect((await act(seeded.rollout, "toString")).status).toBe(404);
    expect((await act(seeded.rollout, "explode")).status).toBe(404);
    expect((await act(seeded.rollout, "resume")).status).toBe(409);
    expect((await act(seeded.rollout, "abort")).status).toBe(200);
    expect((await act(seeded.rollout, "abort")).status).toBe(409);
    expect((await act(seeded.rollout, "pause")).status).toBe(409);
    expect((await db().rollout.findUniqueOrThrow({ where: { id: seeded.rollout } })).state).toBe("aborted");
  });
});
