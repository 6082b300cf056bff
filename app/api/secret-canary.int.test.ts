import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Testbed } from "@/testbed/harness";
import { loadAccessProfile } from "@/lib/server/access/profile";
import { createSession } from "@/lib/server/auth/sessions";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { executor } from "@/lib/server/releases/hub-push";
import { startRolloutWorker, type RolloutWorker } from "@/lib/server/rollouts/worker";
import { createTemplate } from "@/lib/server/templates/templates";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import * as compareRoute from "./v1/inventory/compare/route";
import * as objectRoute from "./v1/inventory/object/route";
import * as revealRoute from "./v1/inventory/secrets/reveal/route";
import * as releaseDriftRoute from "./v1/releases/[id]/drift/route";
import * as releaseRoute from "./v1/releases/[id]/route";
import * as releasesRoute from "./v1/releases/route";
import * as rolloutRoute from "./v1/rollouts/[id]/route";
import * as previewRoute from "./v1/rollouts/preview/route";
import * as rolloutsRoute from "./v1/rollouts/route";

/**
 * Issue 12, point 1: a user with deploy and secrets "metadata" runs a whole preview,
 * rollout, drift and heal cycle over a Secret that `kubectl apply` created (so it carries
 * the last-applied-configuration annotation, values in plain text). Every response body
 * every audit row and every log line is searched for the live values: plain, base64, and the digests an
 * unkeyed masking would have shown.
 */

const run = promisify(execFile);
const NS = "leak-test";
const canaries = {
  password: `canary-pw-${randomBytes(6).toString("hex")}`,
  apikey: `canary-key-${randomBytes(6).toString("hex")}`,
  drifted: `canary-drift-${randomBytes(6).toString("hex")}`,
};

/** Every way a value could show: itself, base64, and stable digests of either. */
function forms(value: string): string[] {
  const b64 = Buffer.from(value).toString("base64");
  const sha = (text: string) => createHash("sha256").update(text).digest("hex");
  return [value, b64, b64.replace(/=+$/, ""), sha(value), sha(value).slice(0, 8), sha(b64), sha(b64).slice(0, 8)];
}

let tb: Testbed;
let worker: RolloutWorker;
let clusterId: string;
let session: string;
let templateId: string;
const seen: Array<{ where: string; text: string }> = [];

async function kubectl(args: string[], input?: string) {
  const child = run("kubectl", ["--kubeconfig", tb.kubeconfigPath, "--context", "testbed-1", ...args]);
  if (input !== undefined) {
    child.child.stdin!.write(input);
    child.child.stdin!.end();
  }
  return (await child).stdout;
}

type Handler = Parameters<typeof callRoute>[0];
async function call(where: string, handler: Handler, input: Omit<Parameters<typeof callRoute>[1], "session">) {
  const response = await callRoute(handler, { ...input, session });
  seen.push({ where, text: JSON.stringify(response.body) });
  return response as { status: number; body: Record<string, unknown> };
}

beforeAll(async () => {
  // Log lines are crawled too (the logger is observed, not replaced: each call is kept as text).
  for (const level of ["trace", "debug", "info", "warn", "error", "fatal"] as const)
    vi.spyOn(logger, level).mockImplementation(((...args: unknown[]) => {
      seen.push({ where: `log ${level}`, text: JSON.stringify(args) });
    }) as never);
  tb = await testbed();
  await resetDatabase();
  const admin = await createTestUser({ isAdmin: true, email: "canary-admin@example.com" });
  const adminProfile = await loadAccessProfile({ user: admin, via: "session" });
  const cluster = await registerCluster(registrationFor(tb, "testbed-1", "leak-a"));
  clusterId = cluster.id;
  const transport = await transportFor(clusterId);
  await transport.request({
    method: "POST",
    path: "/api/v1/namespaces",
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
  });
  await transport.request({ method: "DELETE", path: `/api/v1/namespaces/${NS}/secrets/leaky` });
  await transport.request({ method: "DELETE", path: `/api/v1/namespaces/${NS}/configmaps/leak-note` });
  // Created by client-side `kubectl apply`: the annotation holds the values in plain text.
  await kubectl(
    ["apply", "-f", "-"],
    JSON.stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "leaky", namespace: NS },
      stringData: { password: canaries.password, apikey: canaries.apikey },
    }),
  );

  const team = await db().team.create({ data: { name: "leakers" } });
  await db().grant.create({
    data: { teamId: team.id, clusterIds: [clusterId], namespaces: [NS], level: "deploy", secrets: "metadata" },
  });
  const user = await createTestUser({ email: "deployer@example.com" });
  await db().membership.create({ data: { teamId: team.id, userId: user.id } });
  session = (await createSession(user.id, { clientIp: "127.0.0.1", userAgent: "canary" })).token;

  templateId = (
    await createTemplate(adminProfile, {
      name: "adds-a-key",
      description: "adds one key to an existing Secret",
      schema: { type: "object", properties: { value: { type: "string", default: "from-template" } } },
      body: [
        "apiVersion: v1",
        "kind: Secret",
        "metadata:",
        "  name: leaky",
        `  namespace: ${NS}`,
        "stringData:",
        "  added: {{ params.value }}",
        "---",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: leak-note",
        `  namespace: ${NS}`,
        "data:",
        "  note: plain",
        "",
      ].join("\n"),
      overrides: [],
      message: "first",
    })
  ).id;
  worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
}, 300_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await worker?.stop();
});

const request = {
  releaseName: "leaky",
  templateId: "",
  revision: 1,
  params: {},
  targets: { clusterIds: [] as string[] },
  healthGate: { timeoutSeconds: 30 },
  // The Secret was made by kubectl (owned outside Archipelago): the rollout takes it over explicitly.
  takeOwnership: true,
};

describe("no Secret value reaches a response or an audit row", () => {
  it("runs preview, rollout, drift, heal, detail, compare and reveal as a metadata-only deployer", async () => {
    const body = { ...request, templateId, targets: { clusterIds: [clusterId] } };

    const preview = await call("preview", previewRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts/preview",
      body,
    });
    expect(preview.status).toBe(200);
    const cluster = (preview.body.clusters as Array<{ objects: Array<{ ref: { kind: string }; diff: string }> }>)[0]!;
    const secretDiff = cluster.objects.find((o) => o.ref.kind === "Secret")!.diff;

    const started = await call("rollout.start", rolloutsRoute.POST, { method: "POST", path: "/api/v1/rollouts", body });
    expect(started.status).toBe(201);
    const rolloutId = started.body.rolloutId as string;
    let rollout: { state: string; release: { id: string } } | undefined;
    const until = Date.now() + 90_000;
    while (Date.now() < until) {
      const got = await call("rollout.get", rolloutRoute.GET, {
        path: `/api/v1/rollouts/${rolloutId}`,
        params: { id: rolloutId },
      });
      rollout = got.body.rollout as typeof rollout;
      if (rollout && rollout.state !== "running" && rollout.state !== "pending") break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(rollout?.state).toBe("succeeded");
    const releaseId = rollout!.release.id;

    // Someone changes the value behind our back: drift, then heal.
    await kubectl([
      "patch",
      "secret",
      "leaky",
      "-n",
      NS,
      "-p",
      JSON.stringify({ stringData: { added: canaries.drifted } }),
    ]);
    const drift = await call("drift", releaseDriftRoute.POST, {
      method: "POST",
      path: `/api/v1/releases/${releaseId}/drift`,
      params: { id: releaseId },
      body: { heal: false },
    });
    expect(drift.status).toBe(200);
    expect(JSON.stringify(drift.body)).toContain('"drifted"');
    // kubectl took our key over: that (not whether the value equals ours) is what the deployer is told.
    const driftEntries = (drift.body.results as Array<{ drift: Array<Record<string, unknown>> }>)[0]!.drift;
    expect(driftEntries).toEqual([
      expect.objectContaining({ kind: "Secret", name: "leaky", problem: "taken-over", managers: ["kubectl-patch"] }),
    ]);
    const healed = await call("heal", releaseDriftRoute.POST, {
      method: "POST",
      path: `/api/v1/releases/${releaseId}/drift`,
      params: { id: releaseId },
      body: { heal: true },
    });
    expect(healed.status).toBe(200);
    await call("release", releaseRoute.GET, { path: `/api/v1/releases/${releaseId}`, params: { id: releaseId } });
    await call("releases", releasesRoute.GET, { path: "/api/v1/releases" });
    await call("rollouts", rolloutsRoute.GET, { path: "/api/v1/rollouts" });

    const query = `cluster=${clusterId}&kind=secrets&namespace=${NS}&name=leaky`;
    const detail = await call("object", objectRoute.GET, { path: `/api/v1/inventory/object?${query}` });
    expect(detail.status).toBe(200);
    expect((detail.body.object as { secretKeys: Array<{ key: string }> }).secretKeys.map((k) => k.key)).toEqual([
      "added",
      "apikey",
      "password",
    ]);
    const cm = await call("object-cm", objectRoute.GET, {
      path: `/api/v1/inventory/object?cluster=${clusterId}&kind=configmaps&namespace=${NS}&name=leak-note`,
    });
    expect(cm.status).toBe(200);
    await call("compare", compareRoute.GET, {
      path: `/api/v1/inventory/compare?kind=secrets&namespace=${NS}&name=leaky`,
    });
    const reveal = await call("reveal", revealRoute.POST, {
      method: "POST",
      path: "/api/v1/inventory/secrets/reveal",
      body: { cluster: clusterId, namespace: NS, name: "leaky" },
    });
    expect(reveal.status).toBe(403);

    // The values are really there (so finding none below means something).
    const live = await (
      await transportFor(clusterId)
    ).json<{
      data: Record<string, string>;
      metadata: { annotations: Record<string, string> };
    }>({ method: "GET", path: `/api/v1/namespaces/${NS}/secrets/leaky` });
    expect(Buffer.from(live.data.password!, "base64").toString()).toBe(canaries.password);
    expect(live.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]).toContain(canaries.apikey);

    const audit = await db().auditEvent.findMany();
    expect(audit.map((row) => row.action)).toEqual(
      expect.arrayContaining(["rollout.preview", "rollout.start", "release.drift-check", "secret.reveal"]),
    );
    for (const row of audit)
      seen.push({
        where: `audit ${row.action}`,
        text: JSON.stringify(row, (_, v) => (typeof v === "bigint" ? String(v) : v)),
      });
    const stored = await db().rolloutTarget.findMany();
    const releaseRows = await db().releaseCluster.findMany();
    seen.push({ where: "rollout targets", text: JSON.stringify(stored) });
    seen.push({ where: "release clusters", text: JSON.stringify(releaseRows) });

    const leaks = seen.flatMap(({ where, text }) =>
      Object.entries(canaries).flatMap(([name, value]) =>
        forms(value)
          .filter((form) => text.includes(form))
          .map((form) => `${where}: ${name} as ${form}`),
      ),
    );
    expect(leaks).toEqual([]);
    // The diff still tells which keys are written; to a deployer without reveal no value is compared
    // with the live one (issue 20, point 4: no guessing oracle), so no fingerprint either.
    expect(secretDiff).toMatch(/\+\s+added: "?\(hidden, not compared with the live value\)/);
    expect(secretDiff).toMatch(/password: "?\(hidden, not compared/);
    expect(secretDiff).toMatch(/last-applied-configuration: "?\(hidden, not compared/);
    expect(secretDiff).not.toMatch(/fingerprint/);
    expect(seen.length).toBeGreaterThan(12);
  });
});

describe("remote text is bounded (issue 12, point 7)", () => {
  it("a conflict names managers capped to 64 characters; an invalid object keeps reason, field and a capped message", async () => {
    const manager = `owner-${"x".repeat(120)}`;
    const transport = await transportFor(clusterId);
    await transport.json({
      method: "PATCH",
      path: `/api/v1/namespaces/${NS}/configmaps/taken`,
      query: { fieldManager: manager, force: true },
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "taken", namespace: NS },
        data: { note: "theirs" },
      },
      contentType: "application/apply-patch+yaml",
    });
    const admin = await db().user.findFirstOrThrow({ where: { isAdmin: true } });
    const adminProfile = await loadAccessProfile({ user: admin, via: "session" });
    const template = await createTemplate(adminProfile, {
      name: "remote-text",
      description: "",
      schema: { type: "object", properties: {} },
      body: [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: taken",
        `  namespace: ${NS}`,
        "data:",
        "  note: ours",
        "---",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: invalid-keys",
        `  namespace: ${NS}`,
        "data:",
        `  "${"bad key!".repeat(40)}": "v"`,
        "",
      ].join("\n"),
      overrides: [],
      message: "first",
    });
    const preview = await call("preview remote text", previewRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts/preview",
      body: {
        ...request,
        releaseName: "remote-text",
        templateId: template.id,
        targets: { clusterIds: [clusterId] },
        takeOwnership: false,
      },
    });
    expect(preview.status).toBe(200);
    const objects = (
      preview.body.clusters as Array<{
        objects: Array<{ ref: { name: string }; action: string; error?: string; conflictManagers?: string[] }>;
      }>
    )[0]!.objects;
    const conflict = objects.find((o) => o.ref.name === "taken")!;
    expect(conflict.action).toBe("conflict");
    expect(conflict.conflictManagers).toEqual([`${manager.slice(0, 63)}…`]);
    expect(conflict.error).not.toContain(manager);
    const invalid = objects.find((o) => o.ref.name === "invalid-keys")!;
    expect(invalid.action).toBe("invalid");
    expect(invalid.error).toMatch(/^data\[bad key!/);
    expect(invalid.error).toMatch(/: FieldValueInvalid \(/);
    // Each cause's message is capped, and so are all causes together.
    expect(invalid.error!.length).toBeLessThanOrEqual(500);
  });
});
