import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import { createApprovalPolicy } from "@/lib/server/access/approval-policies";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { approvalPolicyBodySchema } from "@/lib/schemas/change-control";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/errors/app-error";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { executor } from "@/lib/server/releases/hub-push";
import { createTemplate } from "@/lib/server/templates/templates";
import { resetDatabase } from "@/lib/testing/reset-database";
import { demoTemplate } from "@/lib/testing/rollout-fixtures";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { createGuardrailRule } from "@/lib/server/guardrails/rules";
import { approvalView, decideOnRollout } from "./approval";
import { previewRollout } from "./preview";
import { controlRollout } from "./control";
import { startRollout } from "./create";
import { getRollout } from "./queries";
import { TRANSITIONS } from "./state-machine";
import { startRolloutWorker, type RolloutWorker } from "./worker";

/**
 * Approvals against real clusters: a rollout touching an env=prod cluster waits; its author
 * cannot approve; someone who cannot see it gets 404; a second admin approves and it runs.
 * An approval goes stale when the live object is edited with kubectl between the approvals
 * and the start. Every move is checked against the state table.
 */

const run = promisify(execFile);
const RELEASE = "appr";
let tb: Testbed;
let author: AccessProfile;
let approverA: AccessProfile;
let approverB: AccessProfile;
let outsider: AccessProfile;
let clusters: Record<string, string>;
let worker: RolloutWorker;
let templateId: string;

async function waitForState(id: string, accept: (state: string) => boolean, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rollout = await getRollout(author, id);
    if (accept(rollout.state) || Date.now() > until) return rollout;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function liveConfig(name: string) {
  const transport = await transportFor(clusters[name]!);
  return transport.request({ method: "GET", path: `/api/v1/namespaces/team-a/configmaps/${RELEASE}-config` });
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
  const profileOf = async (email: string, isAdmin: boolean) =>
    loadAccessProfile({ user: await createTestUser({ isAdmin, email }), via: "session" });
  author = await profileOf("author@example.com", true);
  approverA = await profileOf("approver-a@example.com", true);
  approverB = await profileOf("approver-b@example.com", true);
  outsider = await profileOf("outsider@example.com", false);
  clusters = {};
  for (const [index, name, env] of [
    [1, "ap-prod", "prod"],
    [2, "ap-staging", "staging"],
  ] as const) {
    const created = await registerCluster(registrationFor(tb, `testbed-${index}`, name, { labels: { env } }));
    clusters[name] = created.id;
    const transport = await transportFor(created.id);
    for (const path of [
      "configmaps/appr-config",
      "secrets/appr-secret",
      "serviceaccounts/appr-sa",
      "services/appr-svc",
    ])
      await transport.request({ method: "DELETE", path: `/api/v1/namespaces/team-a/${path}` });
    await transport.request({ method: "DELETE", path: "/apis/apps/v1/namespaces/team-a/deployments/appr-web" });
  }
  worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
  templateId = (await createTemplate(author, demoTemplate("appr-template", RELEASE))).id;
  await createApprovalPolicy(author, {
    name: "production",
    clusterSelector: "env=prod",
    approvalsRequired: 1,
    approverTeamIds: [],
    adminsMayApprove: true,
    authorMayApprove: false,
  });
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  delete process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  resetEnvForTests();
});

const request = (overrides: Record<string, unknown> = {}) => ({
  releaseName: RELEASE,
  templateId,
  revision: 1,
  params: { image: "registry.local/demo:1.0", replicas: 1 },
  targets: { selector: "env in (prod,staging)", clusterIds: [] },
  strategy: { kind: "all" as const },
  healthGate: { timeoutSeconds: 60 },
  tolerateFailures: 0,
  autoRollback: true,
  takeOwnership: false,
  ...overrides,
});

describe("approvals of the exact change, against real clusters", () => {
  it("refuses a policy with an invalid selector, zero approvals or six, naming the field", () => {
    const base = { name: "p", clusterSelector: "env=prod", approvalsRequired: 1 };
    const problems = (body: Record<string, unknown>) => {
      const parsed = approvalPolicyBodySchema.safeParse(body);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    };
    expect(problems(base)).toEqual([]);
    expect(problems({ ...base, clusterSelector: "env in (prod" })[0]).toMatch(
      /^clusterSelector: Invalid label selector/,
    );
    expect(problems({ ...base, clusterSelector: "" })[0]).toMatch(
      /^clusterSelector: A policy needs a cluster selector/,
    );
    expect(problems({ ...base, approvalsRequired: 0 })).toEqual([
      "approvalsRequired: approvalsRequired must be between 1 and 5",
    ]);
    expect(problems({ ...base, approvalsRequired: 6 })).toEqual([
      "approvalsRequired: approvalsRequired must be between 1 and 5",
    ]);
    expect(problems({ ...base, adminsMayApprove: false })[0]).toMatch(
      /^approverTeamIds: Name at least one approver team/,
    );
  });

  it("a rollout touching one env=prod cluster waits; the author cannot approve; an outsider gets 404; a second admin approves and it runs", async () => {
    const { id } = await startRollout(author, request());
    const waiting = await db().rollout.findUniqueOrThrow({ where: { id } });
    expect(waiting.state).toBe("awaiting_approval");
    expect(waiting.approvalDigest).toMatch(/^[0-9a-f]{64}$/);
    // Nothing reached either cluster, the staging one included: the whole rollout waits.
    expect((await liveConfig("ap-prod")).status).toBe(404);
    expect((await liveConfig("ap-staging")).status).toBe(404);

    const view = await approvalView(approverA, id);
    expect(view.policies).toEqual([
      expect.objectContaining({ name: "production", clusters: ["ap-prod"], required: 1, approved: 0 }),
    ]);
    // The approver reads the same per-cluster preview: five objects to create on each, the Secret masked.
    expect(view.clusters.map((c) => [c.clusterName, c.counts.create, c.error])).toEqual([
      ["ap-prod", 5, null],
      ["ap-staging", 5, null],
    ]);
    expect(JSON.stringify(view.clusters)).not.toContain("rendered-for-");
    expect(view.you).toEqual({ mayDecide: true, reason: null });

    const own = await appError(decideOnRollout(author, id, { decision: "approve", comment: "lgtm" }));
    expect(own.status).toBe(403);
    expect(own.message).toMatch(/author of a rollout may not approve/);
    expect((await approvalView(author, id)).you.reason).toMatch(/author/);
    const hidden = await appError(decideOnRollout(outsider, id, { decision: "approve", comment: "lgtm" }));
    expect(hidden.status).toBe(404);
    expect(hidden.message).toBe("Rollout not found");
    expect(await db().rolloutApproval.count({ where: { rolloutId: id } })).toBe(0);
    expect((await db().rollout.findUniqueOrThrow({ where: { id } })).state).toBe("awaiting_approval");

    const outcome = await decideOnRollout(approverA, id, { decision: "approve", comment: "read the diff, fine" });
    expect(outcome).toMatchObject({ decision: "approved", started: true, stale: false });
    expect(TRANSITIONS.awaiting_approval.approved).toBe("running");
    const done = await waitForState(id, (state) => state === "succeeded" || state === "failed");
    expect(done.state).toBe("succeeded");
    expect((await liveConfig("ap-prod")).status).toBe(200);
    const again = await appError(decideOnRollout(approverB, id, { decision: "approve", comment: "late" }));
    expect(again.status).toBe(409);
  }, 240_000);

  it("an approval goes stale when the live object is edited with kubectl between approval and start; approving twice is refused", async () => {
    await createApprovalPolicy(author, {
      name: "production-two",
      clusterSelector: "env=prod",
      approvalsRequired: 2,
      approverTeamIds: [],
      adminsMayApprove: true,
      authorMayApprove: false,
    });
    const { id } = await startRollout(author, request({ params: { image: "registry.local/demo:1.1", replicas: 1 } }));
    const approved = (await db().rollout.findUniqueOrThrow({ where: { id } })).approvalDigest!;
    expect(await decideOnRollout(approverA, id, { decision: "approve", comment: "first" })).toMatchObject({
      started: false,
    });
    const twice = await appError(decideOnRollout(approverA, id, { decision: "approve", comment: "again" }));
    expect(twice.status).toBe(409);
    expect(twice.message).toBe("You already decided on this change");
    expect(await db().rolloutApproval.count({ where: { rolloutId: id } })).toBe(1);

    await run("kubectl", [
      "--kubeconfig",
      tb.kubeconfigPath,
      "--context",
      "testbed-1",
      "annotate",
      "configmap",
      `${RELEASE}-config`,
      "-n",
      "team-a",
      "edited-by=someone-with-kubectl",
    ]);
    const outcome = await decideOnRollout(approverB, id, { decision: "approve", comment: "second" });
    expect(outcome).toMatchObject({ started: false, stale: true });
    const stale = await db().rollout.findUniqueOrThrow({ where: { id } });
    expect(stale.state).toBe("awaiting_approval");
    expect(stale.approvalDigest).not.toBe(approved);
    const view = await approvalView(approverA, id);
    expect(view.stale).toMatch(/^Stale: .*needs approval again/);
    expect(view.policies.map((p) => p.approved)).toEqual([0, 0]);
    expect(view.decisions.every((d) => !d.counts)).toBe(true);
    expect(view.you.mayDecide).toBe(true);
    // The image did not change on the cluster: nothing was applied.
    expect(await db().rolloutEvent.count({ where: { rolloutId: id, step: { startsWith: "approval.stale" } } })).toBe(1);

    await decideOnRollout(approverA, id, { decision: "approve", comment: "re-read the fresh preview" });
    expect(await decideOnRollout(approverB, id, { decision: "approve", comment: "fine" })).toMatchObject({
      started: true,
    });
    expect((await waitForState(id, (state) => state === "succeeded" || state === "failed")).state).toBe("succeeded");
  }, 240_000);

  it("a rejection ends the rollout for good and lets go of its clusters", async () => {
    const { id } = await startRollout(author, request({ params: { image: "registry.local/demo:1.2", replicas: 1 } }));
    const outcome = await decideOnRollout(approverA, id, { decision: "reject", comment: "not during the sale" });
    expect(outcome).toMatchObject({ decision: "rejected", started: false });
    const rollout = await db().rollout.findUniqueOrThrow({ where: { id } });
    expect(rollout.state).toBe("rejected");
    expect(rollout.message).toBe("Rejected by approver-a@example.com");
    expect(await db().releaseWriter.count({ where: { holderId: id } })).toBe(0);
    const late = await appError(decideOnRollout(approverB, id, { decision: "approve", comment: "x" }));
    expect(late.status).toBe(409);
  }, 120_000);

  it("a guardrail that does not compile is refused at save with the position; nothing is stored", async () => {
    const refused = await appError(
      createGuardrailRule(author, {
        name: "broken",
        expression: "object.spec.replicas >= ",
        clusterSelector: "",
        kinds: [],
        action: "deny",
        message: "x",
      }),
    );
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.options.fields)).toMatch(/line 1, column \d+/);
    const unknown = await appError(
      createGuardrailRule(author, {
        name: "broken",
        expression: "object.spec.replicas >= minReplicas",
        clusterSelector: "",
        kinds: [],
        action: "deny",
        message: "x",
      }),
    );
    expect(JSON.stringify(unknown.options.fields)).toMatch(/line 1, column 25: undeclared reference to 'minReplicas'/);
    expect(await db().guardrailRule.count()).toBe(0);
  });

  it("a guardrail denying :latest blocks at preview and at start, naming cluster and object; a warn rule shows on the approval", async () => {
    await createGuardrailRule(author, {
      name: "no-latest",
      expression: "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))",
      clusterSelector: "",
      kinds: ["Deployment"],
      action: "deny",
      message: "Images must be pinned, not :latest",
    });
    await createGuardrailRule(author, {
      name: "prod-replicas",
      expression: "!('env' in labels) || labels['env'] != 'prod' || object.spec.replicas >= 2",
      clusterSelector: "env=prod",
      kinds: ["Deployment"],
      action: "warn",
      message: "Run at least two replicas in production",
    });
    const latest = request({ params: { image: "registry.local/demo:latest", replicas: 1 } });
    const preview = await previewRollout(author, latest);
    const denies = preview.clusters.flatMap((c) => (c.guardrails ?? []).filter((f) => f.action === "deny"));
    expect(denies.map((f) => [f.rule, f.cluster, f.object])).toEqual([
      ["no-latest", "ap-prod", `Deployment team-a/${RELEASE}-web`],
      ["no-latest", "ap-staging", `Deployment team-a/${RELEASE}-web`],
    ]);
    const before = await db().rollout.count();
    const blocked = await appError(startRollout(author, latest));
    expect(blocked.status).toBe(400);
    expect(JSON.stringify(blocked.options.fields)).toContain(
      `Guardrail no-latest denies Deployment team-a/${RELEASE}-web on cluster ap-prod: Images must be pinned, not :latest`,
    );
    expect(await db().rollout.count()).toBe(before);

    const { id } = await startRollout(author, request({ params: { image: "registry.local/demo:1.3", replicas: 1 } }));
    const view = await approvalView(approverA, id);
    const warns = view.clusters.flatMap((c) => c.guardrails ?? []);
    expect(warns).toEqual([
      {
        rule: "prod-replicas",
        action: "warn",
        message: "Run at least two replicas in production",
        cluster: "ap-prod",
        object: `Deployment team-a/${RELEASE}-web`,
      },
    ]);

    // A deny rule added after the preview: the approved digest no longer holds, and once the
    // fresh preview (showing the deny) is approved, the start is still blocked, naming the rule.
    await createGuardrailRule(author, {
      name: "no-1-3",
      expression: "object.spec.template.spec.containers.all(c, !c.image.endsWith(':1.3'))",
      clusterSelector: "env=staging",
      kinds: ["Deployment"],
      action: "deny",
      message: "1.3 is withdrawn",
    });
    await decideOnRollout(approverA, id, { decision: "approve", comment: "ok" });
    expect(await decideOnRollout(approverB, id, { decision: "approve", comment: "ok" })).toMatchObject({ stale: true });
    const fresh = await approvalView(approverA, id);
    expect(fresh.clusters.flatMap((c) => c.guardrails ?? []).map((f) => `${f.action} ${f.rule} ${f.cluster}`)).toEqual([
      "warn prod-replicas ap-prod",
      "deny no-1-3 ap-staging",
    ]);
    await decideOnRollout(approverA, id, { decision: "approve", comment: "ok, fresh" });
    expect(await decideOnRollout(approverB, id, { decision: "approve", comment: "ok, fresh" })).toMatchObject({
      started: false,
    });
    const blockedRollout = await db().rollout.findUniqueOrThrow({ where: { id } });
    expect(blockedRollout.state).toBe("awaiting_approval");
    expect(blockedRollout.message).toBe(
      `Blocked: Guardrail no-1-3 denies Deployment team-a/${RELEASE}-web on cluster ap-staging: 1.3 is withdrawn`,
    );
    await db().guardrailRule.deleteMany({ where: { name: "no-1-3" } });
    // The author gives up: abort is an edge out of awaiting_approval too, and lets go of the clusters.
    await controlRollout(author, id, "abort");
    expect((await db().rollout.findUniqueOrThrow({ where: { id } })).state).toBe("aborted");
    expect(await db().releaseWriter.count({ where: { holderId: id } })).toBe(0);
  }, 120_000);

  it("a guardrail is checked again before each wave: a deny added during the bake fails the next wave's target, naming it", async () => {
    const { id } = await startRollout(
      author,
      request({
        params: { image: "registry.local/demo:1.4", replicas: 1 },
        strategy: { kind: "waves", batchSize: 1, canaryClusterIds: [clusters["ap-staging"]!], bakeSeconds: 4 },
      }),
    );
    await decideOnRollout(approverA, id, { decision: "approve", comment: "waves" });
    expect(await decideOnRollout(approverB, id, { decision: "approve", comment: "waves" })).toMatchObject({
      started: true,
    });
    // Wave 1 (staging) applied and baking: now a deny for production appears.
    const until = Date.now() + 60_000;
    while ((await db().rolloutWave.findFirst({ where: { rolloutId: id, index: 0 } }))?.state !== "baking") {
      if (Date.now() > until) throw new Error("wave 1 never baked");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await createGuardrailRule(author, {
      name: "no-1-4-in-prod",
      expression: "object.spec.template.spec.containers.all(c, !c.image.endsWith(':1.4'))",
      clusterSelector: "env=prod",
      kinds: ["Deployment"],
      action: "deny",
      message: "1.4 is not for production",
    });
    const done = await waitForState(id, (state) => !["running", "awaiting_approval"].includes(state));
    expect(done.state).toMatch(/^(failed|rolled_back)$/);
    const prod = await db().rolloutTarget.findFirstOrThrow({ where: { rolloutId: id, clusterName: "ap-prod" } });
    // The auto-rollback adds its note: nothing was applied on production.
    expect(prod.error).toMatch(
      new RegExp(
        `^Guardrail no-1-4-in-prod denies Deployment team-a/${RELEASE}-web on cluster ap-prod: 1\\.4 is not for production( · rollback notes: nothing was applied here.*)?$`,
      ),
    );
    expect(prod.startedAt).toBeNull();
    await db().guardrailRule.deleteMany({ where: { name: "no-1-4-in-prod" } });
  }, 180_000);

  it("approvals expire: an approval older than ARCHIPELAGO_APPROVAL_TTL_MINUTES does not count and may be given again", async () => {
    const { id } = await startRollout(author, request({ params: { image: "registry.local/demo:1.5", replicas: 1 } }));
    await decideOnRollout(approverA, id, { decision: "approve", comment: "yesterday" });
    // The clock is the row's: an approval given two days ago (the default TTL is a day).
    await db().rolloutApproval.updateMany({
      where: { rolloutId: id, userId: approverA.userId },
      data: { createdAt: new Date(Date.now() - 2 * 24 * 3600_000) },
    });
    expect(await decideOnRollout(approverB, id, { decision: "approve", comment: "today" })).toMatchObject({
      started: false,
      stale: false,
    });
    const view = await approvalView(approverA, id);
    expect(view.decisions.map((d) => [d.userEmail, d.counts])).toEqual([
      ["approver-a@example.com", false],
      ["approver-b@example.com", true],
    ]);
    expect(view.you.mayDecide).toBe(false);
    expect(await decideOnRollout(approverA, id, { decision: "approve", comment: "again today" })).toMatchObject({
      started: true,
    });
    expect((await waitForState(id, (state) => state === "succeeded" || state === "failed")).state).toBe("succeeded");
  }, 180_000);
});
