import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSession } from "@/lib/server/auth/sessions";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { checkAllReleases } from "@/lib/server/releases/drift";
import { executor } from "@/lib/server/releases/hub-push";
import { startRolloutWorker, type RolloutWorker } from "@/lib/server/rollouts/worker";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { fault, resumeAll, type Testbed } from "@/testbed/harness";
import * as auditRoute from "./v1/audit/route";
import * as releaseDriftRoute from "./v1/releases/[id]/drift/route";
import * as releaseRoute from "./v1/releases/[id]/route";
import * as rolloutRoute from "./v1/rollouts/[id]/route";
import * as previewRoute from "./v1/rollouts/preview/route";
import * as rolloutsRoute from "./v1/rollouts/route";
import * as templatesRoute from "./v1/templates/route";

/**
 * Issue 16, point 3: a Secret on testbed-1 copied to testbed-1, -2 and -3 through a "secret
 * reference" parameter. The source is changed through its API server (as kubectl would): the
 * drift check names every out-of-date target (compared by keyed digests), a heal and the
 * automatic heal bring the copies in line. A user without `reveal` on the source cannot use
 * it; a missing Secret or key is a 400 naming the parameter; a source that is gone leaves the
 * copies alone. The source's values appear in no answer, log line or audit row.
 */

const tag = randomBytes(3).toString("hex");
const SRC = `src-${tag}`;
const COPY = `copy-${tag}`;
const values = {
  first: `canary-ref-${randomBytes(8).toString("hex")}`,
  second: `canary-ref2-${randomBytes(8).toString("hex")}`,
  third: `canary-ref3-${randomBytes(8).toString("hex")}`,
};

let tb: Testbed;
let worker: RolloutWorker;
const clusterIds: string[] = [];
let adminSession: string;
let authorSession: string;
let noRevealSession: string;
let authorId: string;
let authorTeamId: string;
let templateId: string;
const seen: Array<{ where: string; text: string }> = [];

type Handler = Parameters<typeof callRoute>[0];
async function call(
  where: string,
  handler: Handler,
  input: Omit<Parameters<typeof callRoute>[1], "session">,
  session = authorSession,
) {
  const response = await callRoute(handler, { ...input, session });
  seen.push({ where, text: JSON.stringify(response.body) });
  return response as { status: number; body: Record<string, unknown> };
}

const b64 = (text: string) => Buffer.from(text).toString("base64");
const source = (clusterId = clusterIds[0]!, extra: Record<string, unknown> = {}) => ({
  cluster: clusterId,
  namespace: SRC,
  name: "registry",
  ...extra,
});
const request = (params: Record<string, unknown>, releaseName = `copy-${tag}`) => ({
  releaseName,
  templateId,
  revision: 1,
  params,
  targets: { clusterIds },
  healthGate: { timeoutSeconds: 30 },
});

async function setSource(token: string) {
  const transport = await transportFor(clusterIds[0]!);
  await transport.json({
    method: "PATCH",
    path: `/api/v1/namespaces/${SRC}/secrets/registry`,
    body: { data: { token: b64(token) } },
    contentType: "application/merge-patch+json",
  });
}
async function copyOn(clusterId: string) {
  const transport = await transportFor(clusterId);
  const response = await transport.request({ method: "GET", path: `/api/v1/namespaces/${COPY}/secrets/registry-copy` });
  if (response.status === 404) return null;
  const secret = JSON.parse(response.body.toString("utf8")) as { data: Record<string, string> };
  return Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
}

async function waitForRollout(id: string) {
  const until = Date.now() + 120_000;
  for (;;) {
    const got = await call("rollout.get", rolloutRoute.GET, { path: `/api/v1/rollouts/${id}`, params: { id } });
    const rollout = got.body.rollout as {
      state: string;
      release: { id: string };
      targets: Array<{ error: string | null }>;
    };
    if (!["running", "paused", "rolling_back"].includes(rollout.state) || Date.now() > until) return rollout;
    await new Promise((resolve) => setTimeout(resolve, 250));
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
    const cluster = await registerCluster(registrationFor(tb, context, `ref-${index + 1}`));
    clusterIds.push(cluster.id);
    const transport = await transportFor(cluster.id);
    for (const name of index === 0 ? [SRC, COPY] : [COPY])
      await transport.request({
        method: "POST",
        path: "/api/v1/namespaces",
        body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
      });
  }
  await (
    await transportFor(clusterIds[0]!)
  ).json({
    method: "POST",
    path: `/api/v1/namespaces/${SRC}/secrets`,
    body: {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "registry", namespace: SRC },
      data: { username: b64("robot"), token: b64(values.first) },
    },
  });

  const admin = await createTestUser({ isAdmin: true, email: "ref-admin@example.com" });
  adminSession = (await createSession(admin.id, { clientIp: "127.0.0.1", userAgent: "ref" })).token;
  const team = await db().team.create({ data: { name: `ref-team-${tag}` } });
  await db().grant.create({ data: { teamId: team.id, clusterIds, namespaces: [COPY], level: "deploy" } });
  await db().grant.create({
    data: { teamId: team.id, clusterIds: [clusterIds[0]!], namespaces: [SRC], level: "view", secrets: "reveal" },
  });
  authorTeamId = team.id;
  const author = await createTestUser({ email: "ref-author@example.com" });
  authorId = author.id;
  await db().membership.create({ data: { teamId: team.id, userId: author.id } });
  authorSession = (await createSession(author.id, { clientIp: "127.0.0.1", userAgent: "ref" })).token;
  const other = await db().team.create({ data: { name: `ref-other-${tag}` } });
  await db().grant.create({ data: { teamId: other.id, clusterIds, namespaces: [COPY], level: "deploy" } });
  await db().grant.create({
    data: { teamId: other.id, clusterIds: [clusterIds[0]!], namespaces: [SRC], level: "view", secrets: "metadata" },
  });
  const noReveal = await createTestUser({ email: "ref-noreveal@example.com" });
  await db().membership.create({ data: { teamId: other.id, userId: noReveal.id } });
  noRevealSession = (await createSession(noReveal.id, { clientIp: "127.0.0.1", userAgent: "ref" })).token;

  const created = await call(
    "template.create",
    templatesRoute.POST,
    {
      method: "POST",
      path: "/api/v1/templates",
      body: {
        name: `ref-${tag}`,
        schema: {
          type: "object",
          required: ["source"],
          properties: { source: { type: "object", format: "secret-reference", title: "Registry credentials" } },
        },
        body: [
          "apiVersion: v1",
          "kind: Secret",
          "metadata:",
          "  name: registry-copy",
          `  namespace: ${COPY}`,
          "type: Opaque",
          "data: {{ params.source | json }}",
          "",
        ].join("\n"),
        message: "copy a Secret",
      },
    },
    adminSession,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  templateId = (created.body.template as { id: string }).id;
  worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
}, 300_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await worker?.stop();
  for (const [index, id] of clusterIds.entries())
    for (const name of index === 0 ? [SRC, COPY] : [COPY])
      await (
        await transportFor(id)
      )
        .request({ method: "DELETE", path: `/api/v1/namespaces/${name}` })
        .catch(() => null);
});

describe("secret references", () => {
  it("refuses a source the author may not reveal, a missing Secret and a missing key: 400 naming the parameter, nothing stored", async () => {
    const refuse = async (params: Record<string, unknown>, message: RegExp, session = authorSession) => {
      const response = await call(
        "bad",
        rolloutsRoute.POST,
        { method: "POST", path: "/api/v1/rollouts", body: request(params) },
        session,
      );
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      const fields = (response.body.error as { fields: Record<string, string[]> }).fields;
      expect(Object.keys(fields)).toEqual(["params.source"]);
      expect(fields["params.source"]!.join(" ")).toMatch(message);
    };
    await refuse({ source: source() }, /needs "reveal" on namespace/, noRevealSession);
    await refuse({ source: { ...source(), name: "no-such-secret" } }, /does not exist/);
    await refuse({ source: source(undefined, { keys: ["token", "nope"] }) }, /has no key nope/);
    await refuse(
      { source: { ...source(), namespace: "kube-system" } },
      /No Secret kube-system\/registry that you may reveal/,
    );
    expect(await db().rollout.count()).toBe(0);
    expect(await db().release.count()).toBe(0);
    for (const id of clusterIds) expect(await copyOn(id)).toBeNull();
  });

  it("copies to three clusters; drift names every stale copy after the source changes; heal and auto-heal fix them; a gone source leaves them", async () => {
    const preview = await call("preview", previewRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts/preview",
      body: request({ source: source() }),
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const keys = (preview.body.clusters as Array<{ objects: Array<{ secretKeys?: unknown[] }> }>)[0]!.objects[0]!
      .secretKeys;
    expect(keys).toEqual([
      { key: "token", change: "added", fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) },
      { key: "username", change: "added", fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) },
    ]);

    const started = await call("start", rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      body: request({ source: source() }),
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const rollout = await waitForRollout(started.body.rolloutId as string);
    expect(rollout.state, JSON.stringify(rollout.targets)).toBe("succeeded");
    const releaseId = rollout.release.id;
    for (const id of clusterIds) expect(await copyOn(id)).toEqual({ username: "robot", token: values.first });
    const stored = await db().releaseCluster.findMany({ where: { releaseId } });
    expect(stored.every((row) => typeof (row.sourceDigests as Record<string, string>).source === "string")).toBe(true);

    // The source changes (through its API server, as kubectl would): every copy is out of date.
    await setSource(values.second);
    const drift = await call("drift", releaseDriftRoute.POST, {
      method: "POST",
      path: `/api/v1/releases/${releaseId}/drift`,
      params: { id: releaseId },
      body: { heal: false },
    });
    expect(drift.status).toBe(200);
    const results = drift.body.results as Array<{
      clusterId: string;
      state: string;
      drift: Array<{ problem: string }>;
    }>;
    expect(results.map((r) => r.state)).toEqual(["drifted", "drifted", "drifted"]);
    for (const result of results) expect(result.drift.map((d) => d.problem)).toContain("source-changed");
    for (const id of clusterIds) expect((await copyOn(id))?.token).toBe(values.first);

    const healed = await call("heal", releaseDriftRoute.POST, {
      method: "POST",
      path: `/api/v1/releases/${releaseId}/drift`,
      params: { id: releaseId },
      body: { heal: true },
    });
    expect((healed.body.results as Array<{ state: string }>).map((r) => r.state)).toEqual([
      "in_sync",
      "in_sync",
      "in_sync",
    ]);
    for (const id of clusterIds) expect((await copyOn(id))?.token).toBe(values.second);

    // Automatic healing (the scheduled round) reads the source as the release's author.
    await call("auto-heal", releaseRoute.PATCH, {
      method: "PATCH",
      path: `/api/v1/releases/${releaseId}`,
      params: { id: releaseId },
      body: { autoHeal: true },
    });
    await setSource(values.third);
    await checkAllReleases();
    for (const id of clusterIds) expect((await copyOn(id))?.token).toBe(values.third);

    // The source's cluster stops answering: the other targets say why, plainly, and keep their copies.
    await fault("testbed-1", "stop");
    try {
      const unreachable = await call("drift.unreachable", releaseDriftRoute.POST, {
        method: "POST",
        path: `/api/v1/releases/${releaseId}/drift`,
        params: { id: releaseId },
        body: { heal: true },
      });
      expect(unreachable.status).toBe(200);
      const entries = (
        unreachable.body.release as {
          clusters: Array<{ clusterId: string; driftState: string; drift: Array<{ error?: string }> }>;
        }
      ).clusters.filter((c) => c.clusterId !== clusterIds[0]);
      expect(entries.map((c) => c.driftState)).toEqual(["unknown", "unknown"]);
      for (const entry of entries)
        expect(entry.drift[0]!.error).toMatch(
          /^Secret reference source: the source Secret could not be read: .+; the copies here were left as they are$/,
        );
    } finally {
      await resumeAll();
    }
    for (const id of clusterIds.slice(1)) expect((await copyOn(id))?.token).toBe(values.third);

    // The source is gone: drift says so plainly, and no copy is removed.
    await (
      await transportFor(clusterIds[0]!)
    ).request({
      method: "DELETE",
      path: `/api/v1/namespaces/${SRC}/secrets/registry`,
    });
    const gone = await call("drift.gone", releaseDriftRoute.POST, {
      method: "POST",
      path: `/api/v1/releases/${releaseId}/drift`,
      params: { id: releaseId },
      body: { heal: true },
    });
    expect(gone.status).toBe(200);
    const release = (gone.body.release as { clusters: Array<{ driftState: string; drift: Array<{ error?: string }> }> })
      .clusters;
    expect(release.map((c) => c.driftState)).toEqual(["unknown", "unknown", "unknown"]);
    expect(release[0]!.drift[0]!.error).toBe(
      "Secret reference source: the source Secret does not exist; the copies here were left as they are",
    );
    for (const id of clusterIds) expect((await copyOn(id))?.token).toBe(values.third);

    // A rollout of the release now fails before anything starts, naming the parameter.
    const again = await call("start.gone", rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      body: request({ source: source() }),
    });
    expect(again.status).toBe(400);
    expect((again.body.error as { fields: Record<string, string[]> }).fields["params.source"]!.join()).toMatch(
      /does not exist/,
    );

    // Gone between start and apply: every target fails with the plain reason; nothing is applied or removed.
    await (
      await transportFor(clusterIds[0]!)
    ).json({
      method: "POST",
      path: `/api/v1/namespaces/${SRC}/secrets`,
      body: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "registry", namespace: SRC },
        data: { token: b64("x") },
      },
    });
    await worker.stop();
    const late = await call("start.late", rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      body: { ...request({ source: source() }), autoRollback: false },
    });
    expect(late.status, JSON.stringify(late.body)).toBe(201);
    await (
      await transportFor(clusterIds[0]!)
    ).request({
      method: "DELETE",
      path: `/api/v1/namespaces/${SRC}/secrets/registry`,
    });
    worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
    const failed = await waitForRollout(late.body.rolloutId as string);
    expect(failed.state).toBe("failed");
    const lateTargets = await db().rolloutTarget.findMany({ where: { rolloutId: late.body.rolloutId as string } });
    expect(lateTargets.every((t) => t.state === "failed" || t.state === "skipped")).toBe(true);
    // Named by the parameter path only: whoever sees a target may not see the source's cluster or namespace.
    expect(lateTargets.find((t) => t.state === "failed")!.error).toBe(
      "Secret reference source: the source Secret does not exist",
    );
    expect(
      await db().rolloutEvent.count({ where: { rolloutId: late.body.rolloutId as string, step: "target.applied" } }),
    ).toBe(0);
    for (const id of clusterIds) expect((await copyOn(id))?.token).toBe(values.third);

    await call("admin.audit", auditRoute.GET, { path: "/api/v1/audit?pageSize=500" }, adminSession);
    await call(
      "admin.release",
      releaseRoute.GET,
      { path: `/api/v1/releases/${releaseId}`, params: { id: releaseId } },
      adminSession,
    );
    for (const row of await db().auditEvent.findMany())
      seen.push({
        where: `audit ${row.action}`,
        text: JSON.stringify(row, (_, v) => (typeof v === "bigint" ? String(v) : v)),
      });
    seen.push({ where: "release clusters", text: JSON.stringify(await db().releaseCluster.findMany()) });
    seen.push({ where: "rollouts", text: JSON.stringify(await db().rollout.findMany()) });
    seen.push({ where: "rollout targets", text: JSON.stringify(await db().rolloutTarget.findMany()) });
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    const leaks = seen.flatMap(({ where, text }) =>
      Object.entries(values).flatMap(([name, value]) =>
        [value, b64(value), sha(value), sha(b64(value))]
          .filter((form) => text.includes(form))
          .map(() => `${where}: ${name}`),
      ),
    );
    expect(leaks).toEqual([]);
  });

  it("drift check and heal need reveal on the source; worker apply and auto-heal re-decide it for the author's current access", async () => {
    await (
      await transportFor(clusterIds[0]!)
    ).json({
      method: "POST",
      path: `/api/v1/namespaces/${SRC}/secrets`,
      body: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "registry", namespace: SRC },
        data: { username: b64("robot"), token: b64(values.first) },
      },
    });
    const started = await call("start.2", rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      // The copy belongs to the first release (one owner per object): this one takes it over, which its
      // author may (they may steer the first release too).
      body: { ...request({ source: source() }, `copy2-${tag}`), takeOwnership: true },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const rollout = await waitForRollout(started.body.rolloutId as string);
    expect(rollout.state, JSON.stringify(rollout.targets)).toBe("succeeded");
    const releaseId = rollout.release.id;
    await setSource(values.second);
    const revealGrant = { teamId: authorTeamId, namespaces: { has: SRC } };

    // 1. Someone who may steer the release (deploy on every target) but not reveal the source:
    // neither check nor heal, refused before any cluster is called; the answer names the parameter only.
    for (const heal of [false, true]) {
      const refused = await call(
        `drift.no-reveal.${heal}`,
        releaseDriftRoute.POST,
        { method: "POST", path: `/api/v1/releases/${releaseId}/drift`, params: { id: releaseId }, body: { heal } },
        noRevealSession,
      );
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(JSON.stringify(refused.body)).toContain("secret reference source");
      expect(JSON.stringify(refused.body)).not.toContain(SRC);
    }
    for (const id of clusterIds) expect((await copyOn(id))?.token).toBe(values.first);

    // 2. The author loses reveal: auto-heal no longer reads the source; drift is unknown with a
    // plain reason; the copies are neither healed nor deleted.
    await db().grant.updateMany({ where: revealGrant, data: { secrets: "metadata" } });
    await db().release.update({ where: { id: releaseId }, data: { autoHeal: true } });
    await checkAllReleases();
    const lost = await db().releaseCluster.findMany({ where: { releaseId } });
    expect(lost.map((row) => row.driftState)).toEqual(["unknown", "unknown", "unknown"]);
    for (const row of lost) {
      expect(JSON.stringify(row.driftDetails)).toContain(
        "Secret reference source: ref-author@example.com may not reveal the source Secret",
      );
      expect(JSON.stringify(row.driftDetails)).not.toContain(SRC);
    }
    for (const id of clusterIds) expect((await copyOn(id))?.token).toBe(values.first);

    // 3. Worker apply: started while the author may reveal, applied after the author lost it: every
    // target fails with the plain reason, nothing is applied.
    await db().grant.updateMany({ where: revealGrant, data: { secrets: "reveal" } });
    await worker.stop();
    const late = await call("start.revoked", rolloutsRoute.POST, {
      method: "POST",
      path: "/api/v1/rollouts",
      body: { ...request({ source: source() }, `copy2-${tag}`), autoRollback: false },
    });
    expect(late.status, JSON.stringify(late.body)).toBe(201);
    await db().grant.updateMany({ where: revealGrant, data: { secrets: "metadata" } });
    worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
    expect((await waitForRollout(late.body.rolloutId as string)).state).toBe("failed");
    const lateTargets = await db().rolloutTarget.findMany({ where: { rolloutId: late.body.rolloutId as string } });
    expect(lateTargets.find((t) => t.state === "failed")!.error).toBe(
      "Secret reference source: ref-author@example.com may not reveal the source Secret (rule secret-ref.use); nothing was read",
    );
    expect(
      await db().rolloutEvent.count({ where: { rolloutId: late.body.rolloutId as string, step: "target.applied" } }),
    ).toBe(0);
    for (const id of clusterIds) expect((await copyOn(id))?.token).toBe(values.first);

    // 4. Reveal back, but the author's account is disabled: auto-heal refuses plainly, copies stay.
    await db().grant.updateMany({ where: revealGrant, data: { secrets: "reveal" } });
    await db().user.update({ where: { id: authorId }, data: { disabledAt: new Date() } });
    try {
      await checkAllReleases();
      const disabled = await db().releaseCluster.findMany({ where: { releaseId } });
      expect(disabled.map((row) => row.driftState)).toEqual(["unknown", "unknown", "unknown"]);
      for (const row of disabled)
        expect(JSON.stringify(row.driftDetails)).toContain("its author's account is disabled or gone");
      for (const id of clusterIds) expect((await copyOn(id))?.token).toBe(values.first);
    } finally {
      await db().user.update({ where: { id: authorId }, data: { disabledAt: null } });
    }

    // 5. With the author's access whole again, auto-heal copies the new value.
    await checkAllReleases();
    for (const id of clusterIds) expect((await copyOn(id))?.token).toBe(values.second);
  });
});
