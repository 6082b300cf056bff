import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { createSession } from "@/lib/server/auth/sessions";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { checkAllReleases } from "@/lib/server/releases/drift";
import { executor } from "@/lib/server/releases/hub-push";
import { startRolloutWorker, type RolloutWorker } from "@/lib/server/rollouts/worker";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import type { Testbed } from "@/testbed/harness";
import * as auditRoute from "./v1/audit/route";
import * as releaseDriftRoute from "./v1/releases/[id]/drift/route";
import * as releaseRoute from "./v1/releases/[id]/route";
import * as rolloutRoute from "./v1/rollouts/[id]/route";
import * as previewRoute from "./v1/rollouts/preview/route";
import * as rolloutsRoute from "./v1/rollouts/route";
import * as templateRevisionsRoute from "./v1/templates/[id]/revisions/route";
import * as templatesRoute from "./v1/templates/route";

/**
 * Review finding High 1: secret values inserted unquoted into a template. A value that starts
 * with `*` (a YAML alias), one with a line break and one with `: ` are quoted by the render and
 * reach the Secret exactly; with `| raw` (no quoting) the YAML library fails and quotes the
 * value in its message, and that failure must become a fixed sentence everywhere it can go:
 * preview and start answers, the worker's target error and pg-boss's job output, the drift
 * check and the heal. Then every answer, log line, audit row and a dump of every table
 * (pgboss schema included) is scanned for the values.
 */

const run = promisify(execFile);
const tag = randomBytes(3).toString("hex");
const NS = `srl-${tag}`;
const canary = {
  alias: `*S3cretCanary${randomBytes(6).toString("hex")}`,
  multi: `first-${randomBytes(6).toString("hex")}\nsecond line: *x`,
  colon: `key: value-${randomBytes(6).toString("hex")}`,
};
/** The distinctive parts of each value (a line of the multi-line one shows up alone in YAML text). */
const needles = [
  ...Object.values(canary),
  ...canary.multi.split("\n").filter((line) => line.length >= 8),
  canary.alias.slice(1),
  canary.colon.slice(5),
];
function forms(value: string): string[] {
  const b64 = Buffer.from(value).toString("base64");
  const sha = (text: string) => createHash("sha256").update(text).digest("hex");
  return [value, JSON.stringify(value).slice(1, -1), b64, b64.replace(/=+$/, ""), sha(value)];
}

let tb: Testbed;
let worker: RolloutWorker;
const clusterIds: string[] = [];
let session: string;
let templateId: string;
const seen: Array<{ where: string; text: string }> = [];

type Handler = Parameters<typeof callRoute>[0];
async function call(where: string, handler: Handler, input: Omit<Parameters<typeof callRoute>[1], "session">) {
  const response = await callRoute(handler, { ...input, session });
  seen.push({ where, text: JSON.stringify(response.body) });
  return response as { status: number; body: Record<string, unknown> };
}

const SCHEMA = {
  type: "object",
  properties: {
    alias: { type: "string", writeOnly: true },
    multi: { type: "string", writeOnly: true },
    colon: { type: "string", format: "password" },
  },
};
/** `raw` lists the parameters inserted without the render's quoting. */
const body = (raw: string[]) =>
  [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    "  name: canary",
    `  namespace: ${NS}`,
    "stringData:",
    ...["alias", "multi", "colon"].map(
      (name) => `  ${name}: {{ params.${name}${raw.includes(name) ? " | raw" : ""} }}`,
    ),
  ].join("\n");

const request = (params: Record<string, unknown>, revision: number) => ({
  releaseName: `srl-${tag}`,
  templateId,
  revision,
  params,
  targets: { clusterIds },
  healthGate: { timeoutSeconds: 30 },
});

async function waitForRollout(id: string) {
  const until = Date.now() + 120_000;
  for (;;) {
    const got = await call("rollout.get", rolloutRoute.GET, { path: `/api/v1/rollouts/${id}`, params: { id } });
    const rollout = got.body.rollout as {
      state: string;
      release: { id: string };
      targets: Array<{ state: string; error: string | null }>;
    };
    if (!["running", "paused", "rolling_back"].includes(rollout.state) || Date.now() > until) return rollout;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function start(params: Record<string, unknown>, revision: number) {
  const started = await call("rollout.start", rolloutsRoute.POST, {
    method: "POST",
    path: "/api/v1/rollouts",
    body: request(params, revision),
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return waitForRollout(started.body.rolloutId as string);
}

async function liveSecret(clusterId: string) {
  const transport = await transportFor(clusterId);
  return transport.json<{ data: Record<string, string> }>({
    method: "GET",
    path: `/api/v1/namespaces/${NS}/secrets/canary`,
  });
}
const decoded = (value: string | undefined) => Buffer.from(value ?? "", "base64").toString("utf8");

async function dumpDatabase(): Promise<string> {
  const url = process.env.DATABASE_URL!;
  try {
    const { stdout } = await run("pg_dump", ["--no-owner", "--data-only", url], { maxBuffer: 512 * 1024 * 1024 });
    return stdout;
  } catch {
    const tables = await db().$queryRaw<Array<{ schemaname: string; tablename: string }>>`
      SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`;
    expect(tables.map((t) => `${t.schemaname}.${t.tablename}`)).toEqual(
      expect.arrayContaining(["public.secret_params", "public.rollout_events", "pgboss.job"]),
    );
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
  for (const [index, context] of ["testbed-1", "testbed-2"].entries()) {
    const cluster = await registerCluster(registrationFor(tb, context, `srl-${index + 1}`));
    clusterIds.push(cluster.id);
    await (
      await transportFor(cluster.id)
    ).request({
      method: "POST",
      path: "/api/v1/namespaces",
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
    });
  }
  const admin = await createTestUser({ isAdmin: true, email: "srl-admin@example.com" });
  session = (await createSession(admin.id, { clientIp: "127.0.0.1", userAgent: "srl" })).token;
  worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
}, 300_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await worker?.stop();
  for (const id of clusterIds)
    await (await transportFor(id)).request({ method: "DELETE", path: `/api/v1/namespaces/${NS}` }).catch(() => null);
});

describe("secret values inserted unquoted into a template", () => {
  it("are quoted into the Secret, and every render failure they cause is a fixed sentence that carries no value", async () => {
    const created = await call("template.create", templatesRoute.POST, {
      method: "POST",
      path: "/api/v1/templates",
      body: { name: `srl-${tag}`, schema: SCHEMA, body: body([]), message: "quoted by the render" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    templateId = (created.body.template as { id: string }).id;
    // Revision 2 inserts the `*` value raw (the YAML library's alias error quotes it); revision 3 all of them.
    for (const raw of [["alias"], ["alias", "multi", "colon"]]) {
      const revision = await call("template.revision", templateRevisionsRoute.POST, {
        method: "POST",
        path: `/api/v1/templates/${templateId}/revisions`,
        params: { id: templateId },
        body: { schema: SCHEMA, body: body(raw), message: "unquoted on purpose" },
      });
      expect(revision.status, JSON.stringify(revision.body)).toBe(201);
    }

    // Revision 1 quotes what is not plain-safe: preview, start and the worker's apply succeed,
    // and each cluster's Secret holds exactly the values entered.
    const preview = await call("preview.quoted", previewRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts/preview",
      body: request(canary, 1),
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const first = await start(canary, 1);
    expect(first.state, JSON.stringify(first)).toBe("succeeded");
    const releaseId = first.release.id;
    for (const id of clusterIds) {
      const secret = await liveSecret(id);
      expect(decoded(secret.data.alias)).toBe(canary.alias);
      expect(decoded(secret.data.multi)).toBe(canary.multi);
      expect(decoded(secret.data.colon)).toBe(canary.colon);
    }

    // Raw values: the preview and the start (with new values) are refused with a fixed sentence.
    for (const [where, handler, path, revision] of [
      ["preview.raw", previewRoute.POST, "/api/v1/rollouts/preview", 2],
      ["start.raw", rolloutsRoute.POST, "/api/v1/rollouts", 2],
      ["preview.raw-all", previewRoute.POST, "/api/v1/rollouts/preview", 3],
      ["start.raw-all", rolloutsRoute.POST, "/api/v1/rollouts", 3],
    ] as const) {
      const refused = await call(where, handler as Handler, { method: "POST", path, body: request(canary, revision) });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(JSON.stringify(refused.body)).toMatch(
        revision === 2
          ? /document 1 could not be read after rendering/
          : /document 1 is not valid YAML after rendering/,
      );
    }

    // Kept values: the start renders stand-ins and passes; the worker opens the real values, its
    // render fails, and the target fails with the fixed sentence (nothing reaches pg-boss).
    const second = await start({}, 2);
    expect(second.state).not.toBe("succeeded");
    expect(second.targets.length).toBe(2);
    for (const target of second.targets) {
      expect(target.state).toMatch(/failed|rolled_back/);
      expect(target.error).toMatch(/document 1 could not be read after rendering/);
    }
    for (const id of clusterIds) expect(decoded((await liveSecret(id)).data.alias)).toBe(canary.alias);

    // Drift check and heal (by a caller, then automatically) over a release whose stored
    // revision renders the values raw: the drift state is unknown, with a fixed reason.
    const rawRevision = await db().templateRevision.findFirstOrThrow({ where: { templateId, number: 2 } });
    await db().releaseCluster.updateMany({
      where: { releaseId },
      data: { revisionId: rawRevision.id, revisionNumber: 2 },
    });
    for (const heal of [false, true]) {
      const drift = await call(`drift.${heal}`, releaseDriftRoute.POST, {
        method: "POST",
        path: `/api/v1/releases/${releaseId}/drift`,
        params: { id: releaseId },
        body: { heal },
      });
      expect(drift.status, JSON.stringify(drift.body)).toBe(200);
      expect((drift.body.results as Array<{ state: string }>).map((r) => r.state)).toEqual(["unknown", "unknown"]);
    }
    await db().release.update({ where: { id: releaseId }, data: { autoHeal: true } });
    await checkAllReleases();
    const rows = await db().releaseCluster.findMany({ where: { releaseId } });
    expect(rows.map((row) => row.driftState)).toEqual(["unknown", "unknown"]);
    expect(JSON.stringify(rows.map((row) => row.driftDetails))).toContain("no longer render");

    // Everything that was said, logged, audited or stored: no value in any form.
    const release = await call("release.get", releaseRoute.GET, {
      path: `/api/v1/releases/${releaseId}`,
      params: { id: releaseId },
    });
    expect(release.status).toBe(200);
    expect((await call("audit", auditRoute.GET, { path: "/api/v1/audit?pageSize=500", params: {} })).status).toBe(200);
    for (const row of await db().auditEvent.findMany())
      seen.push({
        where: `audit ${row.action}`,
        text: JSON.stringify(row, (_, v) => (typeof v === "bigint" ? String(v) : v)),
      });
    const jobs = await db().$queryRaw<Array<{ output: unknown }>>`SELECT output FROM pgboss.job`;
    expect(jobs.length).toBeGreaterThan(0);
    const dump = await dumpDatabase();
    expect(dump).toContain(releaseId);
    seen.push({ where: "database dump", text: dump });

    const leaks = seen.flatMap(({ where, text }) =>
      needles.flatMap((value) =>
        forms(value)
          .filter((form) => text.includes(form))
          .map((form) => `${where}: ${form.slice(0, 16)}…`),
      ),
    );
    expect(leaks).toEqual([]);
    expect(seen.length).toBeGreaterThan(10);
  });

  it("a preview shows no secret value inside a non-Secret object, however the template transforms it", async () => {
    const value = `Pv-${randomBytes(6).toString("hex")}`;
    const multi = `alpha-${randomBytes(6).toString("hex")}\nbeta-${randomBytes(6).toString("hex")}`;
    const long = Array.from({ length: 12 }, () => `w${randomBytes(4).toString("hex")}`).join(" ");
    expect(long.length).toBeGreaterThan(80);
    const schema = {
      type: "object",
      properties: {
        password: { type: "string", writeOnly: true },
        multi: { type: "string", writeOnly: true },
        long: { type: "string", writeOnly: true },
        note: { type: "string", default: "one" },
      },
    };
    const template = [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: leaky",
      `  namespace: ${NS}`,
      "data:",
      "  upper: {{ params.password | upcase }}",
      "  encoded: {{ params.password | base64_encode }}",
      "  sliced: {{ params.password | slice: 1, 9 }}",
      "  multi: {{ params.multi }}",
      "  long: {{ params.long }}",
      "  folded: |",
      "    {{ params.long | raw }}",
      "---",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: plain",
      `  namespace: ${NS}`,
      "data:",
      "  note: {{ params.note }}",
      "---",
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: real",
      `  namespace: ${NS}`,
      "stringData:",
      "  password: {{ params.password }}",
    ].join("\n");
    const created = await call("template.create.leaky", templatesRoute.POST, {
      method: "POST",
      path: "/api/v1/templates",
      body: { name: `srl-leaky-${tag}`, schema, body: template, message: "leaky" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const leakyTemplate = (created.body.template as { id: string }).id;
    const ask = (params: Record<string, unknown>) => ({
      ...request(params, 1),
      releaseName: `srl-leaky-${tag}`,
      templateId: leakyTemplate,
    });
    const forms = [
      value,
      value.toUpperCase(),
      Buffer.from(value).toString("base64"),
      value.slice(1, 10),
      ...multi.split("\n"),
      ...long.split(" "),
    ];
    const previewed: string[] = [];
    const preview = async (params: Record<string, unknown>) => {
      const answer = await call("preview.leaky", previewRoute.POST, {
        method: "POST",
        path: "/api/v1/rollouts/preview",
        body: ask(params),
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      previewed.push(JSON.stringify(answer.body));
      const cluster = (
        answer.body.clusters as Array<{ manifests: string; objects: Array<Record<string, unknown>> }>
      )[0]!;
      const byName = new Map(cluster.objects.map((o) => [(o.ref as { name: string }).name, o]));
      return { cluster, byName };
    };

    // New values: the object built from them is listed (create) without content; the others as usual.
    const first = await preview({ password: value, multi, long });
    expect(first.byName.get("leaky")).toMatchObject({ action: "create", diff: "", dependsOnSecret: true });
    expect(first.byName.get("plain")).toMatchObject({ action: "create" });
    expect(first.byName.get("plain")!.diff).toContain("note: one");
    expect(first.byName.get("plain")!.dependsOnSecret).toBeUndefined();
    expect(first.byName.get("real")!.dependsOnSecret).toBeUndefined();
    expect(first.byName.get("real")!.secretKeys).toEqual([
      { key: "password", change: "added", fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) },
    ]);
    expect(first.cluster.manifests).toContain("depends on a secret parameter; not shown");

    // Applied, then previewed again with the values kept: the live object holds them too, and the
    // preview still says only "unchanged" (then "changed" for a new value), never its diff.
    const started = await call("rollout.start.leaky", rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      body: ask({ password: value, multi, long }),
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect((await waitForRollout(started.body.rolloutId as string)).state).toBe("succeeded");
    const kept = await preview({ note: "two" });
    expect(kept.byName.get("leaky")).toMatchObject({ action: "unchanged", diff: "", dependsOnSecret: true });
    expect(kept.byName.get("plain")).toMatchObject({ action: "change" });
    const changed = await preview({ password: `${value}-new`, note: "two" });
    expect(changed.byName.get("leaky")).toMatchObject({ action: "change", diff: "", dependsOnSecret: true });

    // An object whose very name comes from a secret value is listed by its kind only.
    const named = await call("template.create.named", templatesRoute.POST, {
      method: "POST",
      path: "/api/v1/templates",
      body: {
        name: `srl-named-${tag}`,
        schema,
        body: [
          "apiVersion: v1",
          "kind: ConfigMap",
          "metadata:",
          "  name: n-{{ params.password | downcase }}",
          `  namespace: ${NS}`,
          "data:",
          "  fixed: value",
        ].join("\n"),
        message: "named after a secret",
      },
    });
    expect(named.status, JSON.stringify(named.body)).toBe(201);
    const namedPreview = await call("preview.named", previewRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts/preview",
      body: {
        ...request({ password: value, multi, long }, 1),
        releaseName: `srl-named-${tag}`,
        templateId: (named.body.template as { id: string }).id,
      },
    });
    expect(namedPreview.status, JSON.stringify(namedPreview.body)).toBe(200);
    previewed.push(JSON.stringify(namedPreview.body));
    const namedObjects = (namedPreview.body.clusters as Array<{ objects: Array<Record<string, unknown>> }>)[0]!.objects;
    expect(namedObjects).toEqual([
      expect.objectContaining({
        ref: expect.objectContaining({ kind: "ConfigMap", name: "(name depends on a secret parameter)" }),
        action: "create",
        diff: "",
        dependsOnSecret: true,
      }),
    ]);

    const leaks = previewed.flatMap((text) => [...forms, value.toLowerCase()].filter((form) => text.includes(form)));
    expect(leaks).toEqual([]);
  });
});
