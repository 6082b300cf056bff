import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fault, type Testbed } from "@/testbed/harness";
import * as subscriptionsRoute from "@/app/api/v1/notifications/subscriptions/route";
import * as deliveriesRoute from "@/app/api/v1/notifications/subscriptions/[id]/deliveries/route";
import type { CreatedSubscriptionView, DeliveryView } from "@/lib/api/notification-types";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { createSession } from "@/lib/server/auth/sessions";
import { transportFor } from "@/lib/server/clusters/connection";
import { startHealthMonitor } from "@/lib/server/clusters/health-monitor";
import { registerCluster } from "@/lib/server/clusters/register";
import { env, resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { emitEvent } from "@/lib/server/events/emit";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { checkReleaseDrift } from "@/lib/server/releases/drift";
import { executor } from "@/lib/server/releases/hub-push";
import { createApprovalPolicy } from "@/lib/server/access/approval-policies";
import { decideOnRollout } from "@/lib/server/rollouts/approval";
import { controlRollout } from "@/lib/server/rollouts/control";
import { startRollout } from "@/lib/server/rollouts/create";
import { getRollout } from "@/lib/server/rollouts/queries";
import { startRolloutWorker, type RolloutWorker } from "@/lib/server/rollouts/worker";
import { createTemplate } from "@/lib/server/templates/templates";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { demoTemplate } from "@/lib/testing/rollout-fixtures";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { startNotificationWorker, type NotificationWorker } from "@/lib/server/notifications/worker";

/** A real webhook receiver on loopback: records every request, answers `failFirst` times 500 first. */
interface Received {
  timestamp: string;
  signature: string;
  body: string;
  json: { id: string; type: string; subject: Record<string, unknown>; clusters: Array<{ clusterName: string }> };
}
async function receiver(failFirst = 0) {
  const received: Received[] = [];
  let failures = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (failures < failFirst) {
        failures += 1;
        response.writeHead(500).end("not now");
        return;
      }
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({
        timestamp: String(request.headers["x-archipelago-timestamp"]),
        signature: String(request.headers["x-archipelago-signature"]),
        body,
        json: JSON.parse(body) as Received["json"],
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((r) => server.close(r)) };
}

/** What a receiver does (README "Notifications"): recompute the HMAC, compare in constant time, refuse old timestamps. */
function verify(secret: string, got: Received, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const expected = `v1=${createHmac("sha256", secret).update(`${got.timestamp}.${got.body}`).digest("hex")}`;
  const fresh = Math.abs(nowSeconds - Number(got.timestamp)) <= 300;
  return (
    fresh &&
    expected.length === got.signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(got.signature))
  );
}

async function eventually<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let tb: Testbed;
let admin: AccessProfile;
let adminSession: string;
let maintainerA: string;
let maintainerB: string;
let teamA: string;
let teamB: string;
let clusters: Record<string, string>;
let rollouts: RolloutWorker;
let notifications: NotificationWorker;
let templateId: string;
const receivers: Array<{ close: () => Promise<unknown> }> = [];

async function session(email: string, isAdmin = false) {
  const user = await createTestUser({ email, isAdmin });
  return { user, token: (await createSession(user.id, { clientIp: "127.0.0.1", userAgent: "test" })).token };
}

async function subscribe(sessionToken: string, body: Record<string, unknown>) {
  const response = await callRoute(subscriptionsRoute.POST, {
    method: "POST",
    path: "/api/v1/notifications/subscriptions",
    session: sessionToken,
    body: { name: "hook", format: "generic", ...body },
  });
  return response;
}

async function waitForRollout(id: string, accept: (state: string) => boolean) {
  return eventually(
    () => getRollout(admin, id),
    (r) => accept(r.state),
    120_000,
  );
}

beforeAll(async () => {
  tb = await testbed();
  process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = "3000";
  resetEnvForTests();
  forgetAllTransports();
  await resetDatabase();
  const a = await session("sre@example.com", true);
  adminSession = a.token;
  admin = await loadAccessProfile({ user: a.user, via: "session" });
  clusters = {};
  for (const index of [1, 2, 3]) {
    const created = await registerCluster(registrationFor(tb, `testbed-${index}`, `nc-${index}`));
    clusters[`nc-${index}`] = created.id;
    // A clean slate: earlier runs (here or in other suites) may have left the demo objects behind.
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
  // Team A sees nc-1 and nc-2; team B sees nc-3 only.
  teamA = (await db().team.create({ data: { name: "notify-a" } })).id;
  teamB = (await db().team.create({ data: { name: "notify-b" } })).id;
  await db().grant.create({
    data: { teamId: teamA, clusterIds: [clusters["nc-1"]!, clusters["nc-2"]!], namespaces: ["team-a"], level: "view" },
  });
  await db().grant.create({
    data: { teamId: teamB, clusterIds: [clusters["nc-3"]!], namespaces: ["team-a"], level: "view" },
  });
  const ma = await session("lead-a@example.com");
  const mb = await session("lead-b@example.com");
  await db().membership.create({ data: { teamId: teamA, userId: ma.user.id, role: "maintainer" } });
  await db().membership.create({ data: { teamId: teamB, userId: mb.user.id, role: "maintainer" } });
  maintainerA = ma.token;
  maintainerB = mb.token;
  rollouts = await startRolloutWorker(process.env.DATABASE_URL!, executor);
  notifications = await startNotificationWorker();
  templateId = (await createTemplate(admin, demoTemplate("demo"))).id;
}, 300_000);

afterAll(async () => {
  await fault("testbed-1", "resume");
  await fault("testbed-2", "resume");
  await notifications?.stop();
  await rollouts?.stop();
  for (const r of receivers) await r.close();
  delete process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  resetEnvForTests();
});

const ROLLOUT_EVENTS = [
  "rollout.started",
  "rollout.wave-done",
  "rollout.health-gate-failed",
  "rollout.paused",
  "rollout.rolled-back",
  "rollout.succeeded",
  "rollout.failed",
];

describe("notifications through real webhooks", () => {
  it("refuses bad input with a 400 naming the field and stores nothing", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ teamId: teamA, url: "http://169.254.169.254/latest", eventTypes: ["rollout.started"] }, "url"],
      [{ teamId: teamA, url: "http://[fe80::1]:8080/hook", eventTypes: ["rollout.started"] }, "url"],
      [{ teamId: teamA, url: `http://127.0.0.1:${env().PORT}/api/v1/setup`, eventTypes: ["rollout.started"] }, "url"],
      [{ teamId: teamA, url: "http://127.0.0.1:9/hook", eventTypes: ["rollout.exploded"] }, "eventTypes.0"],
      [{ teamId: teamA, url: "ftp://example.com/hook", eventTypes: ["rollout.started"] }, "url"],
      // Team B's maintainer cannot subscribe team A: answered as for a team that does not exist.
      [
        { teamId: "00000000-0000-4000-8000-000000000000", url: "http://127.0.0.1:9/", eventTypes: ["drift.detected"] },
        "teamId",
      ],
    ];
    for (const [body, field] of cases) {
      const response = await subscribe(maintainerA, body);
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(Object.keys((response.body as { error: { fields: object } }).error.fields)).toContain(field);
    }
    const hidden = await subscribe(maintainerB, {
      teamId: teamA,
      url: "http://127.0.0.1:9/",
      eventTypes: ["drift.detected"],
    });
    expect(hidden.status).toBe(400);
    expect(JSON.stringify(hidden.body)).not.toContain("notify-a");
    // Only admins subscribe the whole fleet.
    expect(
      (await subscribe(maintainerA, { teamId: null, url: "http://127.0.0.1:9/", eventTypes: ["drift.detected"] }))
        .status,
    ).toBe(400);
    expect(await db().notificationSubscription.count()).toBe(0);
  });

  it("delivers every event of a rollout in order, signed, and team B hears nothing of team A's clusters", async () => {
    const a = await receiver();
    const b = await receiver();
    receivers.push(a, b);
    const created = await subscribe(maintainerA, { teamId: teamA, url: a.url, eventTypes: ROLLOUT_EVENTS });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { signingSecret, subscription } = created.body as CreatedSubscriptionView;
    expect(signingSecret).toMatch(/^whsec_/);
    // Shown once: the list never carries it, and the row holds only the sealed form.
    const list = await callRoute(subscriptionsRoute.GET, {
      path: "/api/v1/notifications/subscriptions",
      session: maintainerA,
    });
    expect(JSON.stringify(list.body)).not.toContain(signingSecret);
    const stored = await db().notificationSubscription.findUniqueOrThrow({
      where: { id: subscription.id },
      select: { secretEnvelope: true },
    });
    expect(JSON.stringify(stored)).not.toContain(signingSecret.slice(6));
    const createdB = await subscribe(maintainerB, { teamId: teamB, url: b.url, eventTypes: ROLLOUT_EVENTS });
    expect(createdB.status).toBe(201);

    const { id } = await startRollout(admin, {
      releaseName: "notify-demo",
      templateId,
      revision: 1,
      params: { image: "registry.local/demo:1.0", replicas: 1 },
      targets: { selector: "", clusterIds: [clusters["nc-1"]!, clusters["nc-2"]!] },
      strategy: { kind: "waves", batchSize: 1, canaryClusterIds: [], bakeSeconds: 0 },
      healthGate: { timeoutSeconds: 60 },
      tolerateFailures: 0,
      autoRollback: true,
      takeOwnership: false,
    });
    expect((await waitForRollout(id, (s) => s === "succeeded")).state).toBe("succeeded");
    const got = await eventually(
      () => a.received,
      (r) => r.length >= 4,
    );
    expect(got.map((r) => r.json.type)).toEqual([
      "rollout.started",
      "rollout.wave-done",
      "rollout.wave-done",
      "rollout.succeeded",
    ]);
    const ids = got.map((r) => Number(r.json.id));
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    for (const r of got) {
      expect(verify(signingSecret, r), r.json.type).toBe(true);
      expect(r.json.subject.rolloutId).toBe(id);
    }
    expect(got[1]!.json.clusters.map((c) => c.clusterName)).toEqual(["nc-1"]);
    expect(got[2]!.json.clusters.map((c) => c.clusterName)).toEqual(["nc-2"]);
    // A replay: the same request with a timestamp older than five minutes is refused by the receiver's check.
    expect(verify(signingSecret, got[0]!, Number(got[0]!.timestamp) + 301)).toBe(false);
    // A body changed in flight does not verify.
    expect(verify(signingSecret, { ...got[0]!, body: got[0]!.body.replace("nc-", "xx-") })).toBe(false);

    // Everything is dispatched (the outbox is empty) and team B's receiver got nothing about nc-1/nc-2.
    await eventually(
      () => db().notificationEvent.count({ where: { dispatchedAt: null } }),
      (n) => n === 0,
    );
    await notifications.dispatchNow();
    expect(b.received).toEqual([]);
    expect(await db().notificationDelivery.count({ where: { subscription: { teamId: teamB } } })).toBe(0);

    // The delivery log is the owner's: team B's maintainer gets 404 for it.
    const log = await callRoute(deliveriesRoute.GET, {
      path: `/api/v1/notifications/subscriptions/${subscription.id}/deliveries`,
      params: { id: subscription.id },
      session: maintainerA,
    });
    expect(log.status).toBe(200);
    const deliveries = (log.body as { deliveries: DeliveryView[] }).deliveries;
    expect(deliveries.map((d) => [d.eventType, d.state, d.tries[0]?.statusCode])).toEqual(
      [...got].reverse().map((r) => [r.json.type, "delivered", 204]),
    );
    const hidden = await callRoute(deliveriesRoute.GET, {
      path: `/api/v1/notifications/subscriptions/${subscription.id}/deliveries`,
      params: { id: subscription.id },
      session: maintainerB,
    });
    expect(hidden.status).toBe(404);
  }, 240_000);

  it("gives a team only the parts of a fleet-wide rollout on clusters it can see", async () => {
    const b = await receiver();
    const c = await receiver();
    receivers.push(b, c);
    // Team C sees nc-1, but only a namespace this rollout does not write to: it hears nothing.
    const teamC = (await db().team.create({ data: { name: "notify-c" } })).id;
    await db().grant.create({
      data: { teamId: teamC, clusterIds: [clusters["nc-1"]!], namespaces: ["elsewhere"], level: "view" },
    });
    const mc = await session("lead-c@example.com");
    await db().membership.create({ data: { teamId: teamC, userId: mc.user.id, role: "maintainer" } });
    expect(
      (await subscribe(mc.token, { teamId: teamC, url: c.url, eventTypes: ["rollout.started", "rollout.succeeded"] }))
        .status,
    ).toBe(201);
    const created = await subscribe(maintainerB, {
      teamId: teamB,
      url: b.url,
      eventTypes: ["rollout.started", "rollout.succeeded"],
    });
    expect(created.status).toBe(201);
    const { id } = await startRollout(admin, {
      releaseName: "notify-demo",
      templateId,
      revision: 1,
      params: { image: "registry.local/demo:1.1", replicas: 1 },
      targets: { selector: "", clusterIds: Object.values(clusters) },
      strategy: { kind: "all" },
      healthGate: { timeoutSeconds: 60 },
      tolerateFailures: 0,
      autoRollback: true,
      takeOwnership: false,
    });
    expect((await waitForRollout(id, (s) => s === "succeeded")).state).toBe("succeeded");
    const got = await eventually(
      () => b.received,
      (r) => r.length >= 2,
    );
    expect(got.map((r) => r.json.type)).toEqual(["rollout.started", "rollout.succeeded"]);
    for (const r of got) {
      expect(r.json.clusters.map((part) => part.clusterName)).toEqual(["nc-3"]);
      expect(r.body).not.toContain("nc-1");
      expect(r.body).not.toContain("nc-2");
      // Where a rollout writes decides who hears it; it is never sent.
      expect(r.body).not.toContain("places");
    }
    await eventually(
      () => db().notificationEvent.count({ where: { dispatchedAt: null } }),
      (n) => n === 0,
    );
    await notifications.dispatchNow();
    expect(c.received).toEqual([]);
  }, 240_000);

  it("tells of a pause between waves, in order with the rest of the rollout", async () => {
    const a = await receiver();
    receivers.push(a);
    const created = await subscribe(maintainerA, { teamId: teamA, url: a.url, eventTypes: ROLLOUT_EVENTS });
    const { signingSecret } = created.body as CreatedSubscriptionView;
    const { id } = await startRollout(admin, {
      releaseName: "notify-demo",
      templateId,
      revision: 1,
      params: { image: "registry.local/demo:1.2", replicas: 1 },
      targets: { selector: "", clusterIds: [clusters["nc-1"]!, clusters["nc-2"]!] },
      strategy: { kind: "waves", batchSize: 1, canaryClusterIds: [], bakeSeconds: 4 },
      healthGate: { timeoutSeconds: 60 },
      tolerateFailures: 0,
      autoRollback: true,
      takeOwnership: false,
    });
    // Paused while the first wave bakes; resumed once the pause is told.
    await eventually(
      () => db().rolloutWave.findFirstOrThrow({ where: { rolloutId: id, index: 0 } }),
      (wave) => wave.state === "baking",
    );
    await controlRollout(admin, id, "pause");
    await eventually(
      () => a.received,
      (r) => r.some((x) => x.json.type === "rollout.paused"),
    );
    await controlRollout(admin, id, "resume");
    expect((await waitForRollout(id, (s) => s === "succeeded")).state).toBe("succeeded");
    const got = await eventually(
      () => a.received,
      (r) => r.length >= 5,
    );
    expect(got.map((r) => r.json.type)).toEqual([
      "rollout.started",
      "rollout.paused",
      "rollout.wave-done",
      "rollout.wave-done",
      "rollout.succeeded",
    ]);
    for (const r of got) expect(verify(signingSecret, r)).toBe(true);
  }, 240_000);

  it("tells of a rollout awaiting approval, approved then started, and of a rejection, in order and signed", async () => {
    const a = await receiver();
    receivers.push(a);
    const created = await subscribe(maintainerA, {
      teamId: teamA,
      url: a.url,
      eventTypes: ["rollout.awaiting-approval", "rollout.approved", "rollout.rejected", "rollout.started"],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { signingSecret } = created.body as CreatedSubscriptionView;
    await db().cluster.update({ where: { id: clusters["nc-1"]! }, data: { labels: { gate: "approve" } } });
    const policy = await createApprovalPolicy(admin, {
      name: "notify-gate",
      clusterSelector: "gate=approve",
      approvalsRequired: 1,
      approverTeamIds: [],
      adminsMayApprove: true,
      authorMayApprove: false,
    });
    const approverUser = await createTestUser({ email: "approver@example.com", isAdmin: true });
    const approver = await loadAccessProfile({ user: approverUser, via: "session" });
    try {
      const request = (image: string) => ({
        releaseName: "notify-demo",
        templateId,
        revision: 1,
        params: { image, replicas: 1 },
        targets: { selector: "", clusterIds: [clusters["nc-1"]!] },
        strategy: { kind: "all" as const },
        healthGate: { timeoutSeconds: 60 },
        tolerateFailures: 0,
        autoRollback: true,
        takeOwnership: false,
      });
      const first = await startRollout(admin, request("registry.local/demo:1.5"));
      expect((await getRollout(admin, first.id)).state).toBe("awaiting_approval");
      const rejected = await decideOnRollout(approver, first.id, { decision: "reject", comment: "not today" });
      expect(rejected.decision).toBe("rejected");
      const second = await startRollout(admin, request("registry.local/demo:1.6"));
      const approved = await decideOnRollout(approver, second.id, { decision: "approve", comment: "ok" });
      expect(approved.started).toBe(true);
      expect((await waitForRollout(second.id, (s) => s === "succeeded")).state).toBe("succeeded");
      const got = await eventually(
        () => a.received,
        (r) => r.length >= 5,
      );
      expect(got.map((r) => [r.json.type, r.json.subject.rolloutId, r.json.subject.state])).toEqual([
        ["rollout.awaiting-approval", first.id, "awaiting_approval"],
        ["rollout.rejected", first.id, "rejected"],
        ["rollout.awaiting-approval", second.id, "awaiting_approval"],
        ["rollout.approved", second.id, "running"],
        ["rollout.started", second.id, "running"],
      ]);
      expect(got[1]!.json.subject.by).toBe("approver@example.com");
      for (const r of got) {
        expect(verify(signingSecret, r), r.json.type).toBe(true);
        expect(r.json.clusters.map((c) => c.clusterName)).toEqual(["nc-1"]);
      }
    } finally {
      await db().approvalPolicy.delete({ where: { id: policy.id } });
      await db().cluster.update({ where: { id: clusters["nc-1"]! }, data: { labels: {} } });
      await db().notificationSubscription.delete({
        where: { id: (created.body as CreatedSubscriptionView).subscription.id },
      });
    }
  }, 240_000);

  it("tells of a failed health gate and the wave rolled back, naming the cluster", async () => {
    const a = await receiver();
    receivers.push(a);
    const created = await subscribe(maintainerA, { teamId: teamA, url: a.url, eventTypes: ROLLOUT_EVENTS });
    const { signingSecret } = created.body as CreatedSubscriptionView;
    // A Deployment no controller makes ready on the testbed: the gate times out and the wave rolls back.
    const never = await createTemplate(admin, {
      name: "notify-never-ready",
      description: "never ready",
      schema: { type: "object", properties: {} },
      body: [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: notify-never-ready",
        "  namespace: team-a",
        "spec:",
        "  replicas: 1",
        "  selector:",
        "    matchLabels: { app: notify-never-ready }",
        "  template:",
        "    metadata:",
        "      labels: { app: notify-never-ready }",
        "    spec:",
        "      containers:",
        "        - name: c",
        "          image: example.invalid/fail:1",
      ].join("\n"),
      overrides: [],
      message: "first",
    });
    const { id } = await startRollout(admin, {
      releaseName: "notify-never",
      templateId: never.id,
      revision: 1,
      params: {},
      targets: { selector: "", clusterIds: [clusters["nc-1"]!] },
      strategy: { kind: "all" },
      healthGate: { timeoutSeconds: 3 },
      tolerateFailures: 0,
      autoRollback: true,
      takeOwnership: false,
    });
    expect((await waitForRollout(id, (s) => s === "rolled_back" || s === "failed")).state).toBe("rolled_back");
    const got = await eventually(
      () => a.received,
      (r) => r.length >= 3,
    );
    expect(got.map((r) => [r.json.type, r.json.clusters.map((part) => part.clusterName)])).toEqual([
      ["rollout.started", ["nc-1"]],
      ["rollout.health-gate-failed", ["nc-1"]],
      ["rollout.rolled-back", ["nc-1"]],
    ]);
    expect(JSON.stringify(got[1]!.json.clusters[0])).toMatch(/Health gate timed out/);
    for (const r of got) expect(verify(signingSecret, r)).toBe(true);
  }, 240_000);

  it("tells the team that sees the cluster when kubectl drift is detected and healed, and nobody else", async () => {
    const a = await receiver();
    const b = await receiver();
    receivers.push(a, b);
    const drift = ["drift.detected", "drift.healed"];
    const createdB = await subscribe(maintainerB, { teamId: teamB, url: b.url, eventTypes: drift });
    expect((await subscribe(maintainerA, { teamId: teamA, url: a.url, eventTypes: drift })).status).toBe(201);
    const { signingSecret } = createdB.body as CreatedSubscriptionView;
    const release = await db().release.findFirstOrThrow({ where: { name: "notify-demo" } });
    const transport = await transportFor(clusters["nc-3"]!);
    await transport.json({
      method: "PATCH",
      path: "/api/v1/namespaces/team-a/configmaps/demo-config",
      body: { data: { greeting: "hacked" } },
      contentType: "application/merge-patch+json",
      query: { fieldManager: "kubectl-edit" },
    });
    const checked = await checkReleaseDrift(release.id, { heal: false });
    expect(checked.find((c) => c.clusterId === clusters["nc-3"])?.state).toBe("drifted");
    const healed = await checkReleaseDrift(release.id, { heal: true });
    expect(healed.find((c) => c.clusterId === clusters["nc-3"])?.state).toBe("in_sync");
    const got = await eventually(
      () => b.received,
      (r) => r.length >= 2,
    );
    expect(got.map((r) => [r.json.type, r.json.clusters.map((part) => part.clusterName)])).toEqual([
      ["drift.detected", ["nc-3"]],
      ["drift.healed", ["nc-3"]],
    ]);
    for (const r of got) expect(verify(signingSecret, r)).toBe(true);
    await notifications.dispatchNow();
    expect(a.received).toEqual([]);
  }, 120_000);

  it("retries a delivery the receiver answers 500 twice, with backoff, and logs every attempt", async () => {
    const flaky = await receiver(2);
    receivers.push(flaky);
    const created = await subscribe(adminSession, { teamId: null, url: flaky.url, eventTypes: ["drift.detected"] });
    expect(created.status).toBe(201);
    const { signingSecret, subscription } = created.body as CreatedSubscriptionView;
    await emitEvent(db(), {
      type: "drift.detected",
      subject: { releaseId: "r", releaseName: "notify-demo" },
      clusters: [{ clusterId: clusters["nc-1"]!, clusterName: "nc-1" }],
    });
    const got = await eventually(
      () => flaky.received,
      (r) => r.length >= 1,
      90_000,
    );
    expect(got).toHaveLength(1);
    expect(verify(signingSecret, got[0]!)).toBe(true);
    const delivery = await eventually(
      () =>
        db().notificationDelivery.findFirstOrThrow({
          where: { subscriptionId: subscription.id },
          include: { tries: { orderBy: { attempt: "asc" } } },
        }),
      (d) => d.state === "delivered",
    );
    expect(delivery.tries.map((t) => [t.attempt, t.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 204],
    ]);
    expect(delivery.tries[0]!.error).toBe("Receiver answered 500");
    // Backoff: the waits grow (pg-boss doubles the delay with jitter); at least a second before the second try.
    const gap1 = delivery.tries[1]!.at.getTime() - delivery.tries[0]!.at.getTime();
    expect(gap1).toBeGreaterThanOrEqual(900);
  }, 120_000);

  it("tells of a cluster unreachable for N minutes once it has stayed so, and never of one back before", async () => {
    const fleet = await receiver();
    const b = await receiver();
    receivers.push(fleet, b);
    const created = await subscribe(adminSession, {
      teamId: null,
      url: fleet.url,
      eventTypes: ["cluster.unreachable"],
      unreachableMinutes: 1,
    });
    const { signingSecret, subscription } = created.body as CreatedSubscriptionView;
    expect(
      (
        await subscribe(maintainerB, {
          teamId: teamB,
          url: b.url,
          eventTypes: ["cluster.unreachable"],
          unreachableMinutes: 1,
        })
      ).status,
    ).toBe(201);
    const monitor = startHealthMonitor(process.env.DATABASE_URL!);
    try {
      await fault("testbed-1", "stop");
      await fault("testbed-2", "stop");
      await monitor.checkAll();
      const down = await db().cluster.findMany({ where: { status: "unreachable" }, select: { name: true } });
      expect(down.map((c) => c.name).sort()).toEqual(["nc-1", "nc-2"]);
      // nc-2 comes back within the minute: its delivery is skipped when due; nc-1 stays down.
      await fault("testbed-2", "resume");
      await monitor.checkAll();
      const started = Date.now();
      const got = await eventually(
        () => fleet.received,
        (r) => r.length >= 1,
        120_000,
      );
      expect(Date.now() - started).toBeGreaterThan(45_000);
      expect(got.map((r) => [r.json.type, r.json.clusters.map((part) => part.clusterName)])).toEqual([
        ["cluster.unreachable", ["nc-1"]],
      ]);
      expect(verify(signingSecret, got[0]!)).toBe(true);
      const states = await eventually(
        () =>
          db().notificationDelivery.findMany({
            where: { subscriptionId: subscription.id },
            select: { state: true, payload: true },
            orderBy: { id: "asc" },
          }),
        (rows) => rows.every((row) => row.state !== "pending"),
      );
      expect(states.map((row) => [row.state, JSON.stringify(row.payload).includes("nc-2")])).toEqual(
        expect.arrayContaining([
          ["delivered", false],
          ["skipped", true],
        ]),
      );
      expect(b.received).toEqual([]);
    } finally {
      await monitor.stop();
      await fault("testbed-1", "resume");
      await fault("testbed-2", "resume");
    }
  }, 200_000);
});
