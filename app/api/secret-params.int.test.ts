import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "@/lib/server/config/env";
import { rotateMasterKey } from "@/lib/server/clusters/rotate-keys";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { generateKey } from "@/lib/server/crypto/keyring";
import { DecryptionError } from "@/lib/server/crypto/envelope";
import { keyring, resetKeyring } from "@/lib/server/crypto/master-keyring";
import { createSession } from "@/lib/server/auth/sessions";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { logger } from "@/lib/server/log/logger";
import { executor } from "@/lib/server/releases/hub-push";
import { openSecretParams, SecretParamMissingError } from "@/lib/server/secrets/sealed-params";
import { startRolloutWorker, type RolloutWorker } from "@/lib/server/rollouts/worker";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { fault, resumeAll, type Testbed } from "@/testbed/harness";
import * as auditRoute from "./v1/audit/route";
import * as releaseDriftRoute from "./v1/releases/[id]/drift/route";
import * as releaseRollbackRoute from "./v1/releases/[id]/rollback/route";
import * as releaseRoute from "./v1/releases/[id]/route";
import * as releasesRoute from "./v1/releases/route";
import * as rolloutRoute from "./v1/rollouts/[id]/route";
import * as previewRoute from "./v1/rollouts/preview/route";
import * as rolloutsRoute from "./v1/rollouts/route";
import * as templateRevisionsRoute from "./v1/templates/[id]/revisions/route";
import * as templateRoute from "./v1/templates/[id]/route";
import * as templatesRoute from "./v1/templates/route";
import * as lintRoute from "./v1/templates/lint/route";

/**
 * Issue 16, sealed secret parameters end to end on three real clusters: lint refuses a default,
 * a canary entered as a secret parameter reaches every target's Secret (read back from each API
 * server), is kept by a later rollout that leaves it empty, replaced by a rollout with a new
 * value, restored by a rollback to the revision that ran with it, and survives a master-key
 * rotation. It appears nowhere else: not in any API answer the admin or the deployer got, not in
 * a log line, not in the audit table, not in a dump of the whole database (plain, base64, or a
 * stable digest of either).
 */

const run = promisify(execFile);
const tag = randomBytes(3).toString("hex");
const NS = `sp-${tag}`;
const canary = {
  first: `canary-first-${randomBytes(8).toString("hex")}`,
  second: `canary-second-${randomBytes(8).toString("hex")}`,
  third: `canary-third-${randomBytes(8).toString("hex")}`,
  token: `canary-token-${randomBytes(8).toString("hex")}`,
};
const tokenB64 = Buffer.from(canary.token).toString("base64");

function forms(value: string): string[] {
  const b64 = Buffer.from(value).toString("base64");
  const sha = (text: string) => createHash("sha256").update(text).digest("hex");
  return [value, b64, b64.replace(/=+$/, ""), sha(value), sha(b64)];
}

let tb: Testbed;
let worker: RolloutWorker;
const clusterIds: string[] = [];
let adminSession: string;
let deployerSession: string;
let partialSession: string;
let templateId: string;
const seen: Array<{ where: string; text: string }> = [];

type Handler = Parameters<typeof callRoute>[0];
async function call(
  where: string,
  handler: Handler,
  input: Omit<Parameters<typeof callRoute>[1], "session">,
  session = deployerSession,
) {
  const response = await callRoute(handler, { ...input, session });
  seen.push({ where, text: JSON.stringify(response.body) });
  return response as { status: number; body: Record<string, unknown> };
}

const SCHEMA = {
  type: "object",
  required: ["password", "token"],
  properties: {
    password: { type: "string", writeOnly: true, title: "Database password" },
    token: { type: "string", format: "password", contentEncoding: "base64" },
    note: { type: "string", default: "plain" },
  },
};
const body = (labels = "") =>
  [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    "  name: db",
    `  namespace: ${NS}`,
    labels,
    "stringData:",
    "  password: {{ params.password }}",
    "data:",
    "  token: {{ params.token }}",
    "---",
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: db-note",
    `  namespace: ${NS}`,
    "data:",
    "  note: {{ params.note }}",
    "",
  ]
    .filter((line) => line !== "")
    .join("\n");

const request = (params: Record<string, unknown>, revision = 1) => ({
  releaseName: `db-${tag}`,
  templateId,
  revision,
  params,
  targets: { clusterIds },
  healthGate: { timeoutSeconds: 30 },
});

async function liveSecret(clusterId: string) {
  const transport = await transportFor(clusterId);
  return transport.json<{ data: Record<string, string> }>({
    method: "GET",
    path: `/api/v1/namespaces/${NS}/secrets/db`,
  });
}
const decoded = (value: string | undefined) => Buffer.from(value ?? "", "base64").toString("utf8");

async function waitForRollout(id: string): Promise<{ state: string; release: { id: string } }> {
  const until = Date.now() + 120_000;
  for (;;) {
    const got = await call("rollout.get", rolloutRoute.GET, { path: `/api/v1/rollouts/${id}`, params: { id } });
    const rollout = got.body.rollout as { state: string; release: { id: string } };
    if (!["running", "paused", "rolling_back"].includes(rollout.state) || Date.now() > until) return rollout;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function start(params: Record<string, unknown>, revision = 1) {
  const started = await call("rollout.start", rolloutsRoute.POST, {
    method: "POST",
    path: "/api/v1/rollouts",
    body: request(params, revision),
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return waitForRollout(started.body.rolloutId as string);
}

async function expectEverywhere(password: string) {
  for (const id of clusterIds) {
    const secret = await liveSecret(id);
    expect(decoded(secret.data.password)).toBe(password);
    expect(decoded(secret.data.token)).toBe(canary.token);
  }
}

/** Every row of every table in every schema, as text: what a data dump of the database holds. */
async function dumpDatabase(): Promise<string> {
  const url = process.env.DATABASE_URL!;
  try {
    // pg_dump when one of the server's major version is at hand (embedded Postgres ships none).
    const { stdout } = await run("pg_dump", ["--no-owner", "--data-only", url], { maxBuffer: 512 * 1024 * 1024 });
    return stdout;
  } catch {
    const tables = await db().$queryRaw<Array<{ schemaname: string; tablename: string }>>`
      SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`;
    expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(["secret_params", "rollouts", "job"]));
    const parts: string[] = [];
    for (const { schemaname, tablename } of tables) {
      const rows = await db().$queryRawUnsafe<Array<{ row: string }>>(
        `SELECT row_to_json(t)::text AS row FROM "${schemaname}"."${tablename}" t`,
      );
      parts.push(`-- ${schemaname}.${tablename}`, ...rows.map((r) => r.row));
    }
    return parts.join("\n");
  }
}

beforeAll(async () => {
  for (const level of ["trace", "debug", "info", "warn", "error", "fatal"] as const)
    vi.spyOn(logger, level).mockImplementation(((...args: unknown[]) => {
      seen.push({ where: `log ${level}`, text: JSON.stringify(args) });
    }) as never);
  tb = await testbed();
  await resetDatabase();
  for (const [index, context] of ["testbed-1", "testbed-2", "testbed-3"].entries()) {
    const cluster = await registerCluster(registrationFor(tb, context, `sp-${index + 1}`));
    clusterIds.push(cluster.id);
    const transport = await transportFor(cluster.id);
    await transport.request({
      method: "POST",
      path: "/api/v1/namespaces",
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
    });
  }
  const admin = await createTestUser({ isAdmin: true, email: "sp-admin@example.com" });
  adminSession = (await createSession(admin.id, { clientIp: "127.0.0.1", userAgent: "sp" })).token;
  const team = await db().team.create({ data: { name: `sp-team-${tag}` } });
  await db().grant.create({
    data: { teamId: team.id, clusterIds, namespaces: [NS], level: "deploy", secrets: "metadata" },
  });
  const deployer = await createTestUser({ email: "sp-deployer@example.com" });
  await db().membership.create({ data: { teamId: team.id, userId: deployer.id } });
  deployerSession = (await createSession(deployer.id, { clientIp: "127.0.0.1", userAgent: "sp" })).token;
  // Deploy on the first two clusters only, view on the third.
  const partialTeam = await db().team.create({ data: { name: `sp-partial-${tag}` } });
  await db().grant.create({
    data: { teamId: partialTeam.id, clusterIds: clusterIds.slice(0, 2), namespaces: [NS], level: "deploy" },
  });
  await db().grant.create({
    data: { teamId: partialTeam.id, clusterIds: clusterIds.slice(2), namespaces: [NS], level: "view" },
  });
  const partial = await createTestUser({ email: "sp-partial@example.com" });
  await db().membership.create({ data: { teamId: partialTeam.id, userId: partial.id } });
  partialSession = (await createSession(partial.id, { clientIp: "127.0.0.1", userAgent: "sp" })).token;

  worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
}, 300_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await worker?.stop();
  for (const id of clusterIds)
    await (await transportFor(id)).request({ method: "DELETE", path: `/api/v1/namespaces/${NS}` }).catch(() => null);
});

describe("secret parameters", () => {
  it("lint refuses a default on a secret parameter, naming it", async () => {
    const withDefault = {
      ...SCHEMA,
      properties: { ...SCHEMA.properties, password: { type: "string", writeOnly: true, default: canary.first } },
    };
    const lint = await call(
      "lint",
      lintRoute.POST,
      { method: "POST", path: "/api/v1/templates/lint", body: { schema: withDefault, body: body() } },
      adminSession,
    );
    expect(JSON.stringify(lint.body)).toContain("schema.properties.password");
    expect(JSON.stringify(lint.body)).toContain("cannot have a default");
    const refused = await call(
      "template.create.refused",
      templatesRoute.POST,
      {
        method: "POST",
        path: "/api/v1/templates",
        body: { name: `sp-bad-${tag}`, schema: withDefault, body: body(), message: "with a default" },
      },
      adminSession,
    );
    expect(refused.status).toBe(400);
    expect(Object.keys((refused.body.error as { fields: object }).fields)).toContain("schema.properties.password");
    expect(await db().template.count({ where: { name: `sp-bad-${tag}` } })).toBe(0);
    // The refused default was in the requests only: the crawl below finds it in no answer, row or log line.
  });

  it("seals, applies on every target, keeps, replaces, rolls back, survives rotation, and leaks nowhere", async () => {
    const created = await call(
      "template.create",
      templatesRoute.POST,
      {
        method: "POST",
        path: "/api/v1/templates",
        body: { name: `sp-${tag}`, schema: SCHEMA, body: body(), message: "first" },
      },
      adminSession,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    templateId = (created.body.template as { id: string }).id;

    // Preview: the Secret's keys are listed as added, with fingerprints; no value anywhere.
    const preview = await call("preview", previewRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts/preview",
      body: request({ password: canary.first, token: tokenB64 }),
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const objects = (preview.body.clusters as Array<{ objects: Array<Record<string, unknown>> }>)[0]!.objects;
    const secretPreview = objects.find((o) => (o.ref as { kind: string }).kind === "Secret")!;
    expect(secretPreview.secretKeys).toEqual([
      { key: "password", change: "added", fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) },
      { key: "token", change: "added", fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) },
    ]);
    // The per-key list and the diff speak of the same value with the same (per-preview) fingerprint.
    const passwordPrint = (secretPreview.secretKeys as Array<{ fingerprint: string }>)[0]!.fingerprint;
    expect(secretPreview.diff).toContain(`password: (hidden, fingerprint ${passwordPrint})`);

    // 1. First rollout: the value reaches every target's Secret.
    const first = await start({ password: canary.first, token: tokenB64 });
    expect(first.state).toBe("succeeded");
    await expectEverywhere(canary.first);
    const releaseId = first.release.id;
    const sealedRows = await db().secretParam.findMany({ where: { releaseId } });
    expect(sealedRows.map((r) => r.path).sort()).toEqual(["password", "token"]);
    expect(sealedRows.every((r) => r.setByEmail === "sp-deployer@example.com")).toBe(true);

    // The release page says set by whom and when, and a fingerprint that changes with every answer.
    const page1 = await call("release", releaseRoute.GET, {
      path: `/api/v1/releases/${releaseId}`,
      params: { id: releaseId },
    });
    const secretsShown = (page1.body.release as { secretParams: Array<Record<string, unknown>> }).secretParams;
    expect(secretsShown.map((s) => [s.path, s.set, s.setBy])).toEqual([
      ["password", true, "sp-deployer@example.com"],
      ["token", true, "sp-deployer@example.com"],
    ]);
    const page2 = await call("release", releaseRoute.GET, {
      path: `/api/v1/releases/${releaseId}`,
      params: { id: releaseId },
    });
    const again = (page2.body.release as { secretParams: Array<Record<string, unknown>> }).secretParams;
    expect(again[0]!.fingerprint).not.toBe(secretsShown[0]!.fingerprint);
    expect(again[0]!.fingerprint).not.toBe(again[1]!.fingerprint);

    // The rollout's parameters leave the secret paths out (no placeholder that a client copying
    // them into a new rollout would seal as the value).
    const firstId = (first as unknown as { id: string }).id;
    const shownRollout = await call("rollout.get", rolloutRoute.GET, {
      path: `/api/v1/rollouts/${firstId}`,
      params: { id: firstId },
    });
    const shownParams = (shownRollout.body.rollout as { params: Record<string, unknown> }).params;
    expect(Object.keys(shownParams)).not.toContain("password");
    expect(Object.keys(shownParams)).not.toContain("token");

    // 2. A later rollout with those parameters copied and another changed keeps the secrets: nothing new is sealed.
    const kept = await start({ ...shownParams, note: "second rollout" });
    expect(kept.state).toBe("succeeded");
    await expectEverywhere(canary.first);
    expect(await db().secretParam.count({ where: { releaseId } })).toBe(2);

    // 3. A new value is a rollout like any other.
    expect((await start({ password: canary.second })).state).toBe("succeeded");
    await expectEverywhere(canary.second);

    // 4. Revision 2 with a third value; then roll back to revision 1: it uses the value revision 1 last ran with.
    const revision = await call(
      "template.revision",
      templateRevisionsRoute.POST,
      {
        method: "POST",
        path: `/api/v1/templates/${templateId}/revisions`,
        params: { id: templateId },
        body: { schema: SCHEMA, body: body("  labels: { tier: db }"), message: "labels" },
      },
      adminSession,
    );
    expect(revision.status, JSON.stringify(revision.body)).toBe(201);
    expect((await start({ password: canary.third }, 2)).state).toBe("succeeded");
    await expectEverywhere(canary.third);
    const rollback = await call("rollback", releaseRollbackRoute.POST, {
      method: "POST",
      path: `/api/v1/releases/${releaseId}/rollback`,
      params: { id: releaseId },
      body: { revision: 1 },
    });
    expect(rollback.status, JSON.stringify(rollback.body)).toBe(201);
    expect(rollback.body.secretParams).toBe("password, token: the values revision 1 was rolled out with");
    const rolledBack = await waitForRollout(rollback.body.rolloutId as string);
    expect(rolledBack.state).toBe("succeeded");
    await expectEverywhere(canary.second);
    const rollbackDetail = await call("rollout.get", rolloutRoute.GET, {
      path: `/api/v1/rollouts/${rollback.body.rolloutId as string}`,
      params: { id: rollback.body.rolloutId as string },
    });
    expect(JSON.stringify(rollbackDetail.body)).toContain("rollout.secret-params-from-revision");

    // 5. Master-key rotation re-wraps every secret parameter; rollouts keep working on the new key alone.
    const oldKey = process.env.ARCHIPELAGO_MASTER_KEY!;
    const newKey = generateKey();
    const useKeys = (current: string, previous?: string) => {
      process.env.ARCHIPELAGO_MASTER_KEY = current;
      if (previous) process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS = previous;
      else delete process.env.ARCHIPELAGO_MASTER_KEY_PREVIOUS;
      resetEnvForTests();
      resetKeyring();
      forgetAllTransports();
    };
    useKeys(newKey, oldKey);
    const report = await rotateMasterKey();
    expect(report.rewrapped).toBeGreaterThanOrEqual(3 + 4 + 1); // clusters, secret params, digest key
    useKeys(newKey);
    const kids = await db().$queryRaw<Array<{ kid: string }>>`SELECT envelope->>'kid' AS kid FROM secret_params`;
    expect(new Set(kids.map((row) => row.kid))).toEqual(new Set([keyring().current.id]));
    expect((await start({ note: "after rotation" })).state).toBe("succeeded");
    await expectEverywhere(canary.second);
    expect((await start({ password: canary.first })).state).toBe("succeeded");
    await expectEverywhere(canary.first);

    // Drift and heal render with the sealed values too.
    const driftAs = async (session?: string) => {
      const check = await call(
        "drift",
        releaseDriftRoute.POST,
        {
          method: "POST",
          path: `/api/v1/releases/${releaseId}/drift`,
          params: { id: releaseId },
          body: { heal: false },
        },
        session,
      );
      return new Map(
        (check.body.results as Array<{ clusterId: string; state: string; drift: unknown[] }>).map((r) => [
          r.clusterId,
          r,
        ]),
      );
    };
    // A value changed under the release's own manager (it still owns the key): whether it differs is no
    // answer of the deployer's, who may not reveal there (issue 20, point 4: a drift check would confirm
    // a guessed value), so neither the entry nor the state says so.
    const own = (await liveSecret(clusterIds[1]!)) as unknown as {
      metadata: Record<string, unknown>;
      data: Record<string, string>;
    };
    const ownMeta = own.metadata;
    await (
      await transportFor(clusterIds[1]!)
    ).json({
      method: "PATCH",
      path: `/api/v1/namespaces/${NS}/secrets/db`,
      query: { fieldManager: `archipelago/${releaseId}`, force: true },
      body: {
        apiVersion: "v1",
        kind: "Secret",
        // The release's own label and annotations kept: it still owns the object.
        metadata: { name: "db", namespace: NS, labels: ownMeta.labels, annotations: ownMeta.annotations },
        data: { ...own.data, password: Buffer.from("changed-by-hand").toString("base64") },
      },
      contentType: "application/apply-patch+yaml",
    });
    const byCluster = await driftAs();
    expect(byCluster.get(clusterIds[1]!)).toMatchObject({ state: "in_sync", drift: [] });
    expect(byCluster.get(clusterIds[0]!)?.state).toBe("in_sync");
    // Whoever may reveal there is told.
    expect((await driftAs(adminSession)).get(clusterIds[1]!)).toMatchObject({
      state: "drifted",
      drift: [{ kind: "Secret", name: "db", problem: "changed", keys: [{ key: "password", change: "changed" }] }],
    });
    // A hand change takes the key over from the release (server-side apply records who owns each key
    // of `data`): that is who wrote it, not whether the value equals ours, so the deployer is told.
    await (
      await transportFor(clusterIds[1]!)
    ).json({
      method: "PATCH",
      path: `/api/v1/namespaces/${NS}/secrets/db`,
      query: { fieldManager: "by-hand" },
      body: { stringData: { password: "taken-by-hand" } },
      contentType: "application/merge-patch+json",
    });
    const takenOver = (await driftAs()).get(clusterIds[1]!);
    expect(takenOver).toMatchObject({
      state: "drifted",
      drift: [{ kind: "Secret", name: "db", problem: "taken-over", managers: ["by-hand"] }],
    });
    expect(JSON.stringify(takenOver)).not.toContain('"keys"');
    const drift = await call("drift", releaseDriftRoute.POST, {
      method: "POST",
      path: `/api/v1/releases/${releaseId}/drift`,
      params: { id: releaseId },
      body: { heal: true },
    });
    expect(drift.status).toBe(200);
    await expectEverywhere(canary.first);

    // Everything the admin can reach, crawled.
    for (const [where, handler, path, params] of [
      ["admin.release", releaseRoute.GET, `/api/v1/releases/${releaseId}`, { id: releaseId }],
      ["admin.releases", releasesRoute.GET, "/api/v1/releases", {}],
      ["admin.rollouts", rolloutsRoute.GET, "/api/v1/rollouts?pageSize=200", {}],
      ["admin.template", templateRoute.GET, `/api/v1/templates/${templateId}`, { id: templateId }],
      ["admin.audit", auditRoute.GET, "/api/v1/audit?pageSize=500", {}],
    ] as const) {
      const response = await call(where, handler as Handler, { path, params }, adminSession);
      expect(response.status).toBe(200);
    }
    for (const rollout of await db().rollout.findMany({ select: { id: true } }))
      expect(
        (
          await call(
            "admin.rollout",
            rolloutRoute.GET,
            { path: `/api/v1/rollouts/${rollout.id}`, params: { id: rollout.id } },
            adminSession,
          )
        ).status,
      ).toBe(200);

    // The audit rows name the parameter paths that were set, never values.
    const audit = await db().auditEvent.findMany({ where: { action: "rollout.start" } });
    expect(audit.some((row) => JSON.stringify(row.details).includes('"secretParamsSet":["password","token"]'))).toBe(
      true,
    );
    for (const row of await db().auditEvent.findMany())
      seen.push({
        where: `audit ${row.action}`,
        text: JSON.stringify(row, (_, v) => (typeof v === "bigint" ? String(v) : v)),
      });
    const dump = await dumpDatabase();
    expect(dump).toContain(sealedRows[0]!.id);
    seen.push({ where: "database dump", text: dump });

    const leaks = seen.flatMap(({ where, text }) =>
      Object.entries(canary).flatMap(([name, value]) =>
        forms(value)
          .filter((form) => text.includes(form))
          .map((form) => `${where}: ${name} as ${form.slice(0, 12)}…`),
      ),
    );
    expect(leaks).toEqual([]);
    expect(seen.length).toBeGreaterThan(30);
  });

  it("a sealed value opens only for its own release, path and row", async () => {
    const rows = await db().secretParam.findMany({
      select: { id: true, releaseId: true, path: true, envelope: true },
      orderBy: { createdAt: "asc" },
    });
    const [a, b] = [rows.find((r) => r.path === "password")!, rows.find((r) => r.path === "token")!];
    expect((await openSecretParams(a.releaseId, new Map([["password", a.id]]))).get("password")).toBe(canary.first);
    // Another release, another path: refused before decrypting.
    const other = await db()
      .release.findFirstOrThrow({ where: { id: { not: a.releaseId } }, select: { id: true } })
      .catch(() => ({ id: "00000000-0000-4000-8000-000000000000" }));
    await expect(openSecretParams(other.id, new Map([["password", a.id]]))).rejects.toBeInstanceOf(
      SecretParamMissingError,
    );
    await expect(openSecretParams(a.releaseId, new Map([["token", a.id]]))).rejects.toBeInstanceOf(
      SecretParamMissingError,
    );
    // A ciphertext copied onto another row (as someone with the database could) does not open there.
    await db().secretParam.update({ where: { id: b.id }, data: { envelope: a.envelope as object } });
    await expect(openSecretParams(b.releaseId, new Map([["token", b.id]]))).rejects.toBeInstanceOf(DecryptionError);
    await db().secretParam.update({ where: { id: b.id }, data: { envelope: b.envelope as object } });
    expect((await openSecretParams(b.releaseId, new Map([["token", b.id]]))).get("token")).toBe(tokenB64);
  });

  it("a cluster's error that quotes a secret value is stored and shown without it", async () => {
    const quoted = `bad value ${canary.first}`;
    const created = await call(
      "template.create.label",
      templatesRoute.POST,
      {
        method: "POST",
        path: "/api/v1/templates",
        body: {
          name: `sp-label-${tag}`,
          schema: { type: "object", properties: { pw: { type: "string", writeOnly: true } } },
          body: [
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  name: misuse",
            `  namespace: ${NS}`,
            "  labels:",
            "    pw: \"{{ params.pw | default: 'x' }}\"",
            "",
          ].join("\n"),
          message: "a secret where it does not belong",
        },
      },
      adminSession,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const body = {
      ...request({ pw: quoted }),
      templateId: (created.body.template as { id: string }).id,
      releaseName: `misuse-${tag}`,
      autoRollback: false,
    };
    const preview = await call("preview.misuse", previewRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts/preview",
      body,
    });
    expect(JSON.stringify(preview.body)).toContain("invalid");
    const started = await call("start.misuse", rolloutsRoute.POST, { method: "POST", path: "/api/v1/rollouts", body });
    expect(started.status).toBe(201);
    const rollout = await waitForRollout(started.body.rolloutId as string);
    expect(rollout.state).toBe("failed");
    const targets = await db().rolloutTarget.findMany({ where: { rolloutId: started.body.rolloutId as string } });
    expect(targets.every((t) => t.error?.includes("(secret value)"))).toBe(true);
    const text = JSON.stringify({ seen, targets });
    expect(text).not.toContain(canary.first);
  });

  it("bad input: each a 4xx naming the parameter, nothing stored, nothing applied", async () => {
    const before = {
      rollouts: await db().rollout.count(),
      sealed: await db().secretParam.count(),
    };
    const refuse = async (params: Record<string, unknown>, field: string, session = deployerSession) => {
      const response = await call(
        "bad",
        rolloutsRoute.POST,
        { method: "POST", path: "/api/v1/rollouts", body: request(params) },
        session,
      );
      expect(response.status, JSON.stringify(response.body)).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(JSON.stringify(response.body)).toContain(field);
      return response;
    };
    await refuse({ token: "not base64!" }, "params.token");
    await refuse({ password: "x".repeat(1024 * 1024 + 1) }, "params.password");
    await refuse({ password: { $secret: "00000000-0000-4000-8000-000000000000" } }, "params.password");
    // Deploy on two of the three targets: cannot set (or even target) the third.
    const partial = await refuse({ password: "from-partial" }, "targets", partialSession);
    expect(partial.status).toBe(400);
    // A new release without a value for a required secret parameter.
    const fresh = await call("bad", rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      body: { ...request({ token: tokenB64 }), releaseName: `fresh-${tag}` },
    });
    expect(fresh.status).toBe(400);
    expect((fresh.body.error as { fields: Record<string, string[]> }).fields["params.password"]).toEqual([
      "Enter a value: this secret parameter is required and the release has no current value",
    ]);
    expect(await db().rollout.count()).toBe(before.rollouts);
    expect(await db().secretParam.count()).toBe(before.sealed);
    for (const id of clusterIds) expect(decoded((await liveSecret(id)).data.password)).toBe(canary.first);
  });

  it("setting a secret parameter is decided over every target, an unreachable one in a preview included", async () => {
    const other = `other-${tag}`;
    const team = await db().team.create({ data: { name: `sp-subset-${tag}` } });
    await db().grant.create({
      data: { teamId: team.id, clusterIds: clusterIds.slice(0, 2), namespaces: [NS], level: "deploy" },
    });
    // Deploy somewhere on the third cluster (so it may be a target), but not where the template writes.
    await db().grant.create({
      data: { teamId: team.id, clusterIds: clusterIds.slice(2), namespaces: [other], level: "deploy" },
    });
    const user = await createTestUser({ email: "sp-subset@example.com" });
    await db().membership.create({ data: { teamId: team.id, userId: user.id } });
    const session = (await createSession(user.id, { clientIp: "127.0.0.1", userAgent: "sp" })).token;
    const ask = { ...request({ password: "subset-value", token: tokenB64 }), releaseName: `subset-${tag}` };
    await fault("testbed-3", "stop");
    // Discovery answers are cached per cluster revision: a new revision (as after a credential change) asks again.
    await db().cluster.update({ where: { id: clusterIds[2]! }, data: { revision: { increment: 1 } } });
    try {
      const preview = await call(
        "preview.subset",
        previewRoute.POST,
        { method: "POST", path: "/api/v1/rollouts/preview", body: ask },
        session,
      );
      expect(preview.status, JSON.stringify(preview.body)).toBe(403);
      expect(JSON.stringify(preview.body)).toMatch(/Setting secret parameter [a-z, ]*password/);
    } finally {
      await resumeAll();
    }
    expect(await db().secretParam.count({ where: { setByEmail: "sp-subset@example.com" } })).toBe(0);
  });
});
