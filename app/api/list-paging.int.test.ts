import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as auditRoute from "@/app/api/v1/audit/route";
import * as clusterRoute from "@/app/api/v1/clusters/[id]/route";
import * as releasesRoute from "@/app/api/v1/releases/route";
import * as releaseRoute from "@/app/api/v1/releases/[id]/route";
import * as rolloutActionRoute from "@/app/api/v1/rollouts/[id]/[action]/route";
import * as rolloutsRoute from "@/app/api/v1/rollouts/route";
import * as rolloutRoute from "@/app/api/v1/rollouts/[id]/route";
import * as revisionRoute from "@/app/api/v1/templates/[id]/revisions/[number]/route";
import * as templateRoute from "@/app/api/v1/templates/[id]/route";
import type { ReleasePage, RolloutPage } from "@/lib/api/rollout-types";
import type { AuditPage } from "@/lib/schemas/audit";
import { encodeCursor } from "@/lib/schemas/paging";
import { recordAudit } from "@/lib/server/audit/record";
import { createSession } from "@/lib/server/auth/sessions";
import { db } from "@/lib/server/db/client";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { createTestUser } from "@/lib/testing/users";

/**
 * Lists page in SQL: more than 600 rollouts (and a few hundred releases) written straight
 * into Postgres, with targets on visible and hidden clusters and namespaces, paged to the
 * end through the real route as a partial viewer and as an admin. Every visible row appears
 * exactly once, in order; no hidden one appears; the total is exact on every page. Bad
 * cursors and page sizes are 400s naming the field. No testbed needed: nothing here calls a
 * cluster.
 *
 * The viewer's team holds view on `dev` (namespaces team-a*) and on `edge` (namespace web,
 * plus cluster-scoped objects); `prod` is outside its grants.
 */

const dev = randomUUID();
const edge = randomUUID();
const prod = randomUUID();
let viewer = "";
let admin = "";
let templateId = "";
let revisionId = "";

interface Seeded {
  id: string;
  createdAt: Date;
  visible: boolean;
}
const rollouts: Seeded[] = [];
const releases: Array<{ id: string; name: string; visible: boolean }> = [];

const scope = (...namespaces: Array<string | null>) => namespaces.map((namespace) => ({ namespace, level: "deploy" }));
const refs = (...namespaces: Array<string | null>) =>
  namespaces.map((namespace, i) => ({ apiVersion: "v1", kind: "ConfigMap", namespace, name: `o${i}` }));

/** Target sets by kind, and whether the viewer sees the rollout (one visible target is enough). */
const TARGET_KINDS: Array<{ targets: Array<{ clusterId: string; scope: unknown }>; visible: boolean }> = [
  { targets: [{ clusterId: dev, scope: scope("team-a") }], visible: true },
  { targets: [{ clusterId: dev, scope: scope("platform") }], visible: false },
  { targets: [{ clusterId: prod, scope: scope("team-a") }], visible: false },
  { targets: [{ clusterId: dev, scope: [] }], visible: true },
  { targets: [{ clusterId: edge, scope: scope(null) }], visible: true },
  {
    targets: [
      { clusterId: edge, scope: scope("team-a", "platform") },
      { clusterId: prod, scope: [] },
    ],
    visible: false,
  },
  {
    targets: [
      { clusterId: prod, scope: [] },
      { clusterId: dev, scope: scope("kube-system", "team-a-web") },
    ],
    visible: true,
  },
  { targets: [], visible: false },
];

const newestFirst = (a: Seeded, b: Seeded) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

async function sessionFor(isAdmin: boolean, teamId?: string) {
  const user = await createTestUser({ isAdmin });
  if (teamId) await db().membership.create({ data: { teamId, userId: user.id } });
  return (await createSession(user.id, { clientIp: "127.0.0.1", userAgent: "list-paging" })).token;
}

async function pageThrough<T>(
  handler: Parameters<typeof callRoute>[0],
  path: string,
  session: string,
  items: (page: T) => Array<{ id: string }>,
) {
  const ids: string[] = [];
  const totals = new Set<number>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const answer = await callRoute(handler, {
      path: cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path,
      session,
    });
    expect(answer.status).toBe(200);
    const page = answer.body as T & { total: number; nextCursor: string | null };
    ids.push(...items(page).map((item) => item.id));
    totals.add(page.total);
    cursor = page.nextCursor;
    pages += 1;
    expect(pages).toBeLessThan(1000);
  } while (cursor);
  return { ids, totals: [...totals], pages };
}

beforeAll(async () => {
  await resetDatabase();
  await db().cluster.createMany({
    data: [dev, edge, prod].map((id, i) => ({
      id,
      name: ["dev", "edge", "prod"][i]!,
      server: "https://127.0.0.1:1",
      authType: "token" as const,
      credentialEnvelope: {},
    })),
  });
  const team = await db().team.create({ data: { name: "paging" } });
  await db().grant.createMany({
    data: [
      { teamId: team.id, clusterIds: [dev], namespaces: ["team-a*"], level: "view" },
      { teamId: team.id, clusterIds: [edge], namespaces: ["web"], clusterScoped: true, level: "view" },
    ],
  });
  viewer = await sessionFor(false, team.id);
  admin = await sessionFor(true);
  const template = await db().template.create({
    data: {
      name: "paging",
      revisions: { create: { number: 1, schema: {}, body: "", authorEmail: "a@example.com" } },
    },
    include: { revisions: true },
  });
  templateId = template.id;
  revisionId = template.revisions[0]!.id;

  // 680 rollouts in one release; three share each created_at, so the id breaks ties.
  const bulk = await db().release.create({ data: { name: "bulk", templateId } });
  const base = Date.parse("2026-01-01T00:00:00.000Z");
  const targetRows: Array<{
    rolloutId: string;
    clusterId: string;
    clusterName: string;
    waveIndex: number;
    scope: object;
  }> = [];
  for (let i = 0; i < 680; i += 1) {
    const kind = TARGET_KINDS[i % TARGET_KINDS.length]!;
    const id = randomUUID();
    rollouts.push({ id, createdAt: new Date(base - Math.floor(i / 3) * 1000), visible: kind.visible });
    for (const target of kind.targets)
      targetRows.push({
        rolloutId: id,
        clusterId: target.clusterId,
        clusterName: "c",
        waveIndex: 0,
        scope: target.scope as object,
      });
  }
  const common = {
    releaseId: bulk.id,
    revisionId,
    params: {},
    strategy: {},
    healthGate: {},
    createdByEmail: "a@example.com",
  };
  await db().rollout.createMany({
    data: rollouts.map((r) => ({ ...common, id: r.id, createdAt: r.createdAt, state: "succeeded" as const })),
  });
  await db().rolloutTarget.createMany({ data: targetRows });
  releases.push({ id: bulk.id, name: "bulk", visible: true });

  // 240 more releases: seen through a cluster entry, hidden, or seen only through a rollout's target.
  for (let i = 0; i < 240; i += 1) {
    const name = `rel-${String(i).padStart(3, "0")}`;
    const release = await db().release.create({ data: { name, templateId } });
    const kind = i % 4;
    const entry = (clusterId: string, objects: object) =>
      db().releaseCluster.create({
        data: {
          releaseId: release.id,
          clusterId,
          revisionId,
          revisionNumber: 1,
          params: {},
          objects,
          appliedAt: new Date(),
        },
      });
    if (kind === 0) await entry(dev, []);
    if (kind === 1) await entry(prod, refs("team-a"));
    if (kind === 2) await entry(dev, refs("platform"));
    if (kind === 3) {
      const rolloutId = randomUUID();
      const createdAt = new Date(base - 10_000_000 - i * 1000);
      await db().rollout.create({
        data: { ...common, releaseId: release.id, id: rolloutId, createdAt, state: "failed" },
      });
      await db().rolloutTarget.create({
        data: { rolloutId, clusterId: dev, clusterName: "dev", waveIndex: 0, scope: scope("team-a") },
      });
      rollouts.push({ id: rolloutId, createdAt, visible: true });
    }
    releases.push({ id: release.id, name, visible: kind === 0 || kind === 3 });
  }
  rollouts.sort(newestFirst);
}, 120_000);

describe("rollout list", () => {
  it("pages a partial viewer through every visible rollout exactly once, newest first, with an exact total", async () => {
    const expected = rollouts.filter((r) => r.visible).map((r) => r.id);
    expect(rollouts.length).toBeGreaterThan(600);
    expect(expected.length).toBeGreaterThan(300);
    const seen = await pageThrough<RolloutPage>(
      rolloutsRoute.GET,
      "/api/v1/rollouts?pageSize=37",
      viewer,
      (p) => p.rollouts,
    );
    expect(seen.ids).toEqual(expected);
    expect(new Set(seen.ids).size).toBe(seen.ids.length);
    expect(seen.totals).toEqual([expected.length]);
    expect(seen.pages).toBe(Math.ceil(expected.length / 37));
  });

  it("cuts each listed rollout to its visible targets, as before", async () => {
    const answer = await callRoute(rolloutsRoute.GET, { path: "/api/v1/rollouts?pageSize=8", session: viewer });
    const page = answer.body as RolloutPage;
    expect(page.rollouts.every((r) => r.targets === 1)).toBe(true);
    expect(JSON.stringify(page)).not.toContain(prod);
  });

  it("pages an admin through every rollout, targets or not", async () => {
    const seen = await pageThrough<RolloutPage>(
      rolloutsRoute.GET,
      "/api/v1/rollouts?pageSize=200",
      admin,
      (p) => p.rollouts,
    );
    expect(seen.ids).toEqual(rollouts.map((r) => r.id));
    expect(seen.totals).toEqual([rollouts.length]);
  });
});

describe("release list", () => {
  it("pages by name: releases seen through a cluster entry or a rollout's target, nothing else", async () => {
    const expected = releases
      .filter((r) => r.visible)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((r) => r.id);
    const seen = await pageThrough<ReleasePage>(
      releasesRoute.GET,
      "/api/v1/releases?pageSize=16",
      viewer,
      (p) => p.releases,
    );
    expect(seen.ids).toEqual(expected);
    expect(seen.totals).toEqual([expected.length]);
    const all = await pageThrough<ReleasePage>(
      releasesRoute.GET,
      "/api/v1/releases?pageSize=50",
      admin,
      (p) => p.releases,
    );
    expect(all.totals).toEqual([releases.length]);
    expect(new Set(all.ids)).toEqual(new Set(releases.map((r) => r.id)));
  });
});

describe("audit list", () => {
  it("pages newest first by id with the exact count under the filters", async () => {
    for (let i = 0; i < 45; i += 1)
      await recordAudit({
        actor: { userId: null, email: `paging${i % 3}@example.com`, via: "session" },
        action: i % 2 ? "paging.odd" : "paging.even",
        target: {},
        result: "success",
        details: {},
      });
    const seen = await pageThrough<AuditPage>(
      auditRoute.GET,
      "/api/v1/audit?action=paging.&pageSize=7",
      admin,
      (p) => p.events,
    );
    expect(seen.ids).toHaveLength(45);
    expect(seen.ids.map(BigInt)).toEqual([...seen.ids.map(BigInt)].sort((a, b) => (a < b ? 1 : -1)));
    expect(seen.totals).toEqual([45]);
    const odd = await pageThrough<AuditPage>(
      auditRoute.GET,
      "/api/v1/audit?action=paging.odd&pageSize=5",
      admin,
      (p) => p.events,
    );
    expect(odd.totals).toEqual([22]);
    expect(odd.ids).toHaveLength(22);
  });
});

describe("bad paging input is a 400 naming the field, never a 500", () => {
  const fieldsOf = (body: unknown) => Object.keys((body as { error: { fields?: object } }).error.fields ?? {});

  it("a tampered, foreign or malformed cursor", async () => {
    const first = await callRoute(rolloutsRoute.GET, { path: "/api/v1/rollouts?pageSize=5", session: viewer });
    const cursor = (first.body as RolloutPage).nextCursor!;
    const flipped = cursor.slice(0, 10) + (cursor[10] === "A" ? "B" : "A") + cursor.slice(11);
    const bad = [
      flipped,
      cursor.slice(0, -3),
      `${cursor}$`,
      "not a cursor",
      "x".repeat(5000),
      encodeCursor("releases", { name: "bulk", id: randomUUID() }),
      encodeCursor("rollouts", { createdAt: "yesterday", id: randomUUID() }),
      encodeCursor("rollouts", { createdAt: new Date().toISOString(), id: "1; DROP TABLE rollouts" }),
      encodeCursor("rollouts", { createdAt: new Date().toISOString(), id: randomUUID(), extra: 1 }),
      Buffer.from("[1,2,3]").toString("base64url"),
    ];
    for (const value of bad) {
      const answer = await callRoute(rolloutsRoute.GET, {
        path: `/api/v1/rollouts?cursor=${encodeURIComponent(value)}`,
        session: viewer,
      });
      expect(answer.status, value.slice(0, 40)).toBe(400);
      expect(fieldsOf(answer.body)).toEqual(["cursor"]);
    }
    for (const [handler, path] of [
      [releasesRoute.GET, "/api/v1/releases"],
      [auditRoute.GET, "/api/v1/audit"],
    ] as const) {
      const answer = await callRoute(handler, {
        path: `${path}?cursor=${encodeURIComponent(flipped)}`,
        session: admin,
      });
      expect(answer.status).toBe(400);
      expect(fieldsOf(answer.body)).toEqual(["cursor"]);
    }
    // An audit id beyond Postgres' bigint would fail in the database: refused as a bad cursor instead.
    const huge = encodeCursor("audit", { id: "99999999999999999999" });
    const answer = await callRoute(auditRoute.GET, { path: `/api/v1/audit?cursor=${huge}`, session: admin });
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer.body)).toEqual(["cursor"]);
  });

  it("a page size of 0, 10^20, -1, 1.5 or a word", async () => {
    for (const size of ["0", "100000000000000000000", "1e20", "-1", "1.5", "many", "201"]) {
      for (const [handler, path, session] of [
        [rolloutsRoute.GET, "/api/v1/rollouts", viewer],
        [releasesRoute.GET, "/api/v1/releases", viewer],
        [auditRoute.GET, "/api/v1/audit", admin],
      ] as const) {
        if (size === "201" && path === "/api/v1/audit") continue;
        const answer = await callRoute(handler, { path: `${path}?pageSize=${size}`, session });
        expect(answer.status, `${path} pageSize=${size}`).toBe(400);
        expect(fieldsOf(answer.body)).toEqual(["pageSize"]);
      }
    }
  });
});

describe("path parameters are validated by route()", () => {
  const strip = (body: unknown) => ({ ...(body as { error: object }).error, requestId: undefined });

  it("a malformed id answers exactly like an unknown one (404)", async () => {
    const unknown = randomUUID();
    for (const [handler, what] of [
      [rolloutRoute.GET, "Rollout"],
      [releaseRoute.GET, "Release"],
      [templateRoute.GET, "Template"],
      [clusterRoute.GET, "Cluster"],
    ] as const) {
      const known = await callRoute(handler, { path: "/x", params: { id: unknown }, session: viewer });
      expect(known.status).toBe(404);
      for (const id of ["not-a-uuid", `${unknown}x`, "' OR 1=1 --", ""]) {
        const malformed = await callRoute(handler, { path: "/x", params: { id }, session: viewer });
        expect(malformed.status, `${what} ${id}`).toBe(404);
        expect(strip(malformed.body)).toEqual(strip(known.body));
      }
    }
  });

  it("an unknown action or an out-of-range revision number is a 404", async () => {
    const rollout = rollouts.find((r) => r.visible)!.id;
    for (const action of ["explode", "toString", "PAUSE", ""]) {
      const answer = await callRoute(rolloutActionRoute.POST, {
        method: "POST",
        path: "/x",
        params: { id: rollout, action },
        session: viewer,
      });
      expect(answer.status).toBe(404);
      expect(strip(answer.body)).toMatchObject({ code: "not_found", message: "Rollout action not found" });
    }
    for (const number of ["0", "-1", "1.5", "1e3", "99999999999", "2147483648", "one"]) {
      const answer = await callRoute(revisionRoute.GET, {
        path: "/x",
        params: { id: templateId, number },
        session: admin,
      });
      expect(answer.status, number).toBe(404);
    }
    const first = await callRoute(revisionRoute.GET, {
      path: "/x",
      params: { id: templateId, number: "1" },
      session: admin,
    });
    expect(first.status).toBe(200);
  });
});
