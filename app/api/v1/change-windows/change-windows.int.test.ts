import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import * as rolloutsRoute from "@/app/api/v1/rollouts/route";
import * as windowsRoute from "@/app/api/v1/change-windows/route";
import * as freezesRoute from "@/app/api/v1/freezes/route";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { createSession } from "@/lib/server/auth/sessions";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/errors/app-error";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { executor } from "@/lib/server/releases/hub-push";
import { createTemplate } from "@/lib/server/templates/templates";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { demoTemplate } from "@/lib/testing/rollout-fixtures";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createApprovalPolicy } from "@/lib/server/access/approval-policies";
import { decideOnRollout } from "@/lib/server/rollouts/approval";
import { startRollout } from "@/lib/server/rollouts/create";
import { previewRollout } from "@/lib/server/rollouts/preview";
import { getRollout } from "@/lib/server/rollouts/queries";
import { startRolloutWorker, type RolloutWorker } from "@/lib/server/rollouts/worker";

/**
 * Change windows and freezes against real clusters and a real clock: a wave outside its
 * window waits (visibly, with the opening) and starts when a real window a few seconds ahead
 * opens; a freeze refuses the start and holds a new wave until it ends; an admin's override
 * passes, is audited and shown; bad input is a 400 naming the field with nothing stored.
 */

const RELEASE = "cw";
let tb: Testbed;
let admin: AccessProfile;
let adminSession: string;
let member: AccessProfile;
let clusters: Record<string, string>;
let worker: RolloutWorker;
let templateId: string;

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function appError(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeAll(async () => {
  tb = await testbed();
  process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = "5000";
  resetEnvForTests();
  forgetAllTransports();
  await resetDatabase();
  const adminUser = await createTestUser({ isAdmin: true, email: "windows-admin@example.com" });
  admin = await loadAccessProfile({ user: adminUser, via: "session" });
  adminSession = (await createSession(adminUser.id, { clientIp: "127.0.0.1", userAgent: "test" })).token;
  member = await loadAccessProfile({
    user: await createTestUser({ isAdmin: false, email: "windows-member@example.com" }),
    via: "session",
  });
  clusters = {};
  for (const [index, name] of [
    [1, "cw-one"],
    [2, "cw-two"],
  ] as const) {
    const created = await registerCluster(registrationFor(tb, `testbed-${index}`, name, { labels: { site: name } }));
    clusters[name] = created.id;
    const transport = await transportFor(created.id);
    for (const path of ["configmaps/cw-config", "secrets/cw-secret", "serviceaccounts/cw-sa", "services/cw-svc"])
      await transport.request({ method: "DELETE", path: `/api/v1/namespaces/team-a/${path}` });
    await transport.request({ method: "DELETE", path: "/apis/apps/v1/namespaces/team-a/deployments/cw-web" });
  }
  worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
  templateId = (await createTemplate(admin, demoTemplate("cw-template", RELEASE))).id;
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  delete process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  resetEnvForTests();
});

const request = (image: string, overrides: Record<string, unknown> = {}) => ({
  releaseName: RELEASE,
  templateId,
  revision: 1,
  params: { image, replicas: 1 },
  targets: { selector: "", clusterIds: [clusters["cw-one"]!, clusters["cw-two"]!] },
  // cw-one first, then cw-two: canaries go first.
  strategy: { kind: "waves" as const, batchSize: 1, canaryClusterIds: [clusters["cw-one"]!], bakeSeconds: 0 },
  healthGate: { timeoutSeconds: 60 },
  tolerateFailures: 0,
  autoRollback: true,
  takeOwnership: false,
  ...overrides,
});

describe("change windows and freezes, against real clusters and the real clock", () => {
  it("refuses a bad cron, a bad time zone, a freeze ending before it starts and a bad selector, naming the field; nothing is stored", async () => {
    const post = (route: typeof windowsRoute.POST, path: string, body: Record<string, unknown>) =>
      callRoute(route, { method: "POST", path, session: adminSession, body });
    const recurring = { kind: "recurring", name: "bad", clusterSelector: "site=cw-two", cron: "0 9 * * 1-5" };
    const cases: Array<[typeof windowsRoute.POST, string, Record<string, unknown>, string]> = [
      [
        windowsRoute.POST,
        "/api/v1/change-windows",
        { ...recurring, cron: "61 * * * *", timeZone: "UTC", durationMinutes: 60 },
        "cron",
      ],
      [
        windowsRoute.POST,
        "/api/v1/change-windows",
        { ...recurring, cron: "* * *", timeZone: "UTC", durationMinutes: 60 },
        "cron",
      ],
      [
        windowsRoute.POST,
        "/api/v1/change-windows",
        { ...recurring, timeZone: "Mars/Olympus", durationMinutes: 60 },
        "timeZone",
      ],
      [
        windowsRoute.POST,
        "/api/v1/change-windows",
        { ...recurring, timeZone: "UTC", durationMinutes: 0 },
        "durationMinutes",
      ],
      [
        windowsRoute.POST,
        "/api/v1/change-windows",
        { ...recurring, clusterSelector: "site in (", timeZone: "UTC", durationMinutes: 60 },
        "clusterSelector",
      ],
      [
        windowsRoute.POST,
        "/api/v1/change-windows",
        {
          kind: "once",
          name: "bad",
          clusterSelector: "site=cw-two",
          startsAt: "2026-12-24T10:00:00Z",
          endsAt: "2026-12-24T09:00:00Z",
        },
        "endsAt",
      ],
      [
        freezesRoute.POST,
        "/api/v1/freezes",
        {
          name: "bad",
          clusterSelector: "site=cw-two",
          startsAt: "2026-12-24T10:00:00Z",
          endsAt: "2026-12-20T00:00:00Z",
          reason: "holidays",
        },
        "endsAt",
      ],
      [
        freezesRoute.POST,
        "/api/v1/freezes",
        {
          name: "bad",
          clusterSelector: "",
          startsAt: "2026-12-24T10:00:00Z",
          endsAt: "2026-12-26T00:00:00Z",
          reason: "holidays",
        },
        "clusterSelector",
      ],
      [
        freezesRoute.POST,
        "/api/v1/freezes",
        {
          name: "bad",
          clusterSelector: "site=cw-two",
          startsAt: "2026-12-24T10:00:00Z",
          endsAt: "2026-12-26T00:00:00Z",
          reason: " ",
        },
        "reason",
      ],
    ];
    for (const [route, path, body, field] of cases) {
      const response = await post(route, path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = (response.body as { error: { fields?: Record<string, string[]> } }).error;
      expect(Object.keys(error.fields ?? {}), JSON.stringify(error)).toContain(field);
    }
    expect(await db().changeWindow.count()).toBe(0);
    expect(await db().changeFreeze.count()).toBe(0);
    // A member may not define one (admins only), and it is not stored either.
    const memberSession = (await createSession(member.userId, { clientIp: "127.0.0.1", userAgent: "test" })).token;
    const refused = await callRoute(windowsRoute.POST, {
      method: "POST",
      path: "/api/v1/change-windows",
      session: memberSession,
      body: { ...recurring, timeZone: "UTC", durationMinutes: 60 },
    });
    expect(refused.status).toBe(403);
    expect(await db().changeWindow.count()).toBe(0);
  });

  it("a wave outside its window waits, shows the opening, and starts when a real window a few seconds ahead opens", async () => {
    const opensAt = new Date(Date.now() + 8_000);
    const created = await callRoute(windowsRoute.POST, {
      method: "POST",
      path: "/api/v1/change-windows",
      session: adminSession,
      body: {
        kind: "once",
        name: "cw-two soon",
        clusterSelector: "site=cw-two",
        startsAt: opensAt.toISOString(),
        endsAt: new Date(opensAt.getTime() + 10 * 60_000).toISOString(),
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Before the start, the preview tells when each wave can run.
    const previewed = await previewRollout(admin, request("registry.local/demo:1.0"));
    expect(previewed.waves.map((w) => [w.clusters, w.wait === null, w.wait ? w.runsAt : "now"])).toEqual([
      [["cw-one"], true, "now"],
      [["cw-two"], false, opensAt.toISOString()],
    ]);
    const { id } = await startRollout(admin, request("registry.local/demo:1.0"));
    // Wave 1 (cw-one, under no window) runs; wave 2 (cw-two) waits for its window.
    const waiting = await eventually(
      () => getRollout(admin, id),
      (r) => r.waves[1]!.waitingForWindow || r.state !== "running",
    );
    expect(waiting.state).toBe("running");
    expect(waiting.waves[0]!.state).toBe("succeeded");
    expect(waiting.waves[1]).toMatchObject({
      state: "pending",
      waitingForWindow: true,
      windowOpensAt: opensAt.toISOString(),
    });
    expect(waiting.waves[1]!.windowWait).toContain("cw-two");
    expect(waiting.message).toMatch(/^Waiting for window: cw-two/);
    expect(waiting.targets.find((t) => t.clusterName === "cw-two")!.state).toBe("pending");
    expect(Date.now()).toBeLessThan(opensAt.getTime());
    const listed = await callRoute(windowsRoute.GET, { path: "/api/v1/change-windows", session: adminSession });
    expect((listed.body as { windows: Array<{ nextOpening: string }> }).windows[0]!.nextOpening).toBe(
      opensAt.toISOString(),
    );

    // No nudge from the test: the engine's own job at the opening starts the wave.
    const done = await eventually(
      () => getRollout(admin, id),
      (r) => r.state === "succeeded" || r.state === "failed",
    );
    expect(done.state).toBe("succeeded");
    expect(new Date(done.waves[1]!.startedAt!).getTime()).toBeGreaterThanOrEqual(opensAt.getTime());
    expect(done.waves[1]!.waitingForWindow).toBe(false);
    expect(done.message).toBeNull();
    expect(done.events.some((e) => e.step.startsWith("wave.1.waiting-window."))).toBe(true);
    await db().changeWindow.deleteMany();
  }, 240_000);

  it("a freeze refuses the start; a member may not override; an admin's override passes, is audited and shown", async () => {
    const now = Date.now();
    const frozen = await callRoute(freezesRoute.POST, {
      method: "POST",
      path: "/api/v1/freezes",
      session: adminSession,
      body: {
        name: "year end",
        clusterSelector: "site=cw-two",
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 3600_000).toISOString(),
        reason: "year-end close",
      },
    });
    expect(frozen.status, JSON.stringify(frozen.body)).toBe(201);
    const before = await db().rollout.count();
    const blocked = await appError(startRollout(admin, request("registry.local/demo:1.1")));
    expect(blocked.status).toBe(409);
    expect(blocked.message).toContain("year end (year-end close)");
    expect(blocked.message).toContain("cw-two");
    const memberTry = await appError(
      startRollout(member, request("registry.local/demo:1.1", { freezeOverride: { reason: "urgent" } })),
    );
    expect(memberTry.status).toBe(403);
    expect(await db().rollout.count()).toBe(before);

    const started = await callRoute(rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      session: adminSession,
      body: request("registry.local/demo:1.1", { freezeOverride: { reason: "security fix CVE-2026-1" } }),
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = (started.body as { rolloutId: string }).rolloutId;
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { action: "rollout.start" },
      orderBy: { id: "desc" },
    });
    expect(audit.details).toMatchObject({ freezeOverride: "security fix CVE-2026-1", rolloutId: id });
    // The override covers its waves too: the frozen cluster's wave runs.
    const done = await eventually(
      () => getRollout(admin, id),
      (r) => r.state === "succeeded" || r.state === "failed",
    );
    expect(done.state).toBe("succeeded");
    expect(done.freezeOverride).toEqual({ reason: "security fix CVE-2026-1", by: "windows-admin@example.com" });
    expect(done.events.some((e) => e.step === "freeze.overridden")).toBe(true);
    await db().changeFreeze.deleteMany();
  }, 240_000);

  it("a freeze that begins mid-rollout holds the next wave until it ends, then the wave runs", async () => {
    const { id } = await startRollout(
      admin,
      request("registry.local/demo:1.2", {
        strategy: { kind: "waves", batchSize: 1, canaryClusterIds: [clusters["cw-one"]!], bakeSeconds: 3 },
      }),
    );
    await eventually(
      () => db().rolloutWave.findFirstOrThrow({ where: { rolloutId: id, index: 0 } }),
      (wave) => wave.state === "baking",
    );
    const endsAt = new Date(Date.now() + 10_000);
    await db().changeFreeze.create({
      data: {
        name: "short",
        clusterSelector: "site=cw-two",
        startsAt: new Date(Date.now() - 1000),
        endsAt,
        reason: "incident",
        createdByEmail: "windows-admin@example.com",
      },
    });
    const held = await eventually(
      () => getRollout(admin, id),
      (r) => r.waves[1]!.waitingForWindow || r.state !== "running",
    );
    expect(held.waves[1]).toMatchObject({ waitingForWindow: true, windowOpensAt: endsAt.toISOString() });
    expect(held.message).toContain("Frozen until");
    expect(held.message).toContain("incident");
    const done = await eventually(
      () => getRollout(admin, id),
      (r) => r.state === "succeeded" || r.state === "failed",
    );
    expect(done.state).toBe("succeeded");
    expect(new Date(done.waves[1]!.startedAt!).getTime()).toBeGreaterThanOrEqual(endsAt.getTime());
    await db().changeFreeze.deleteMany();
  }, 240_000);
  it("a scheduled rollout waits for its start, then runs; a start in the past is refused naming startAt", async () => {
    const past = await appError(
      startRollout(admin, request("registry.local/demo:1.3", { startAt: new Date(Date.now() - 1000).toISOString() })),
    );
    expect(past.status).toBe(400);
    expect(Object.keys(past.options.fields ?? {})).toEqual(["startAt"]);
    const startAt = new Date(Date.now() + 6_000);
    const { id } = await startRollout(admin, request("registry.local/demo:1.3", { startAt: startAt.toISOString() }));
    const waiting = await getRollout(admin, id);
    expect(waiting.state).toBe("running");
    expect(waiting.startAt).toBe(startAt.toISOString());
    expect(waiting.waves[0]).toMatchObject({
      state: "pending",
      waitingForWindow: true,
      windowOpensAt: startAt.toISOString(),
    });
    expect(waiting.message).toBe(`Scheduled to start at ${startAt.toISOString()}`);
    const done = await eventually(
      () => getRollout(admin, id),
      (r) => r.state === "succeeded" || r.state === "failed",
    );
    expect(done.state).toBe("succeeded");
    expect(new Date(done.waves[0]!.startedAt!).getTime()).toBeGreaterThanOrEqual(startAt.getTime());
  }, 240_000);

  it("a scheduled rollout under a policy is approved before its start; a kubectl edit before the start sends it back for approval", async () => {
    const approver = await loadAccessProfile({
      user: await createTestUser({ isAdmin: true, email: "windows-approver@example.com" }),
      via: "session",
    });
    const policy = await createApprovalPolicy(admin, {
      name: "cw-two approvals",
      clusterSelector: "site=cw-two",
      approvalsRequired: 1,
      approverTeamIds: [],
      adminsMayApprove: true,
      authorMayApprove: false,
    });
    try {
      const startAt = new Date(Date.now() + 8_000);
      const { id } = await startRollout(admin, request("registry.local/demo:1.4", { startAt: startAt.toISOString() }));
      expect((await getRollout(admin, id)).state).toBe("awaiting_approval");
      const decided = await decideOnRollout(approver, id, { decision: "approve", comment: "for tonight" });
      // Approved, but not started: it waits for its start, when its preview is taken again.
      expect(decided).toMatchObject({ started: false, stale: false });
      const scheduled = await getRollout(admin, id);
      expect(scheduled.state).toBe("awaiting_approval");
      expect(scheduled.message).toBe(
        `Approved; scheduled to start at ${startAt.toISOString()} (its preview is taken again then)`,
      );
      // Someone edits a live object of the change after the approval, before the start.
      await promisify(execFile)("kubectl", [
        "--kubeconfig",
        tb.kubeconfigPath,
        "--context",
        "testbed-2",
        "annotate",
        "--overwrite",
        "configmap",
        `${RELEASE}-config`,
        "-n",
        "team-a",
        "edited-by=someone-with-kubectl",
      ]);
      const stale = await eventually(
        () => getRollout(admin, id),
        (r) => r.message?.startsWith("Stale:") === true || r.state !== "awaiting_approval",
      );
      expect(stale.state).toBe("awaiting_approval");
      expect(stale.message).toMatch(/^Stale: at its scheduled start, the live state or the change differs/);
      expect(Date.now()).toBeGreaterThanOrEqual(startAt.getTime());
      // Nothing was applied: wave 1 never started.
      expect(stale.waves[0]!.startedAt).toBeNull();
      // A fresh approval of the fresh preview lets it run (its start is past now).
      const again = await decideOnRollout(approver, id, { decision: "approve", comment: "re-checked" });
      expect(again).toMatchObject({ started: true });
      const done = await eventually(
        () => getRollout(admin, id),
        (r) => r.state === "succeeded" || r.state === "failed",
      );
      expect(done.state).toBe("succeeded");
      expect(new Date(done.waves[0]!.startedAt!).getTime()).toBeGreaterThanOrEqual(startAt.getTime());
    } finally {
      await db().approvalPolicy.delete({ where: { id: policy.id } });
    }
  }, 240_000);
});
