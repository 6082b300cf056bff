import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as changesRoute from "@/app/api/v1/inventory/changes/route";
import { encodeCursor } from "@/lib/schemas/paging";
import type { ChangesPage, ChangeType } from "@/lib/schemas/timeline";
import { createSession } from "@/lib/server/auth/sessions";
import { db } from "@/lib/server/db/client";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { insertChanges } from "@/lib/testing/timeline-fixtures";
import { createTestUser } from "@/lib/testing/users";

/**
 * The change timeline through the real route and real Postgres, with rows written straight into
 * inventory_changes as the collectors write them. No testbed: nothing here calls a cluster.
 *
 * The viewer's team holds view on `dev` namespaces team-a* (no secret access) and on `edge`
 * namespace web (secret metadata); `prod` is outside its grants. Rows on every cluster, in
 * visible and hidden namespaces, of three kinds and four change types, over the last 50 minutes,
 * and a few older than the default hour.
 */

const dev = randomUUID();
const edge = randomUUID();
const prod = randomUUID();
const gone = randomUUID();
const NAMES: Record<string, string> = { [dev]: "dev", [edge]: "edge", [prod]: "prod-secret-cluster" };
let viewer = "";
let admin = "";

interface Seeded {
  id: string;
  at: Date;
  clusterId: string;
  namespace: string;
  kind: string;
  name: string;
  change: ChangeType;
}
const seeded: Seeded[] = [];
const PLACES = [
  [dev, "team-a"],
  [dev, "team-a-web"],
  [dev, "platform"],
  [edge, "web"],
  [edge, "other"],
  [prod, "team-a"],
] as const;
const KINDS = ["configmaps", "deployments", "secrets"];
const CHANGES: ChangeType[] = ["created", "changed", "deleted", "health"];

/** The viewer's grants, written out: what the route must show it. */
const viewerSees = (row: Seeded) =>
  (row.clusterId === dev && row.namespace.startsWith("team-a") && row.kind !== "secrets") ||
  (row.clusterId === edge && row.namespace === "web");

const newestFirst = (a: Seeded, b: Seeded) => b.at.getTime() - a.at.getTime() || (BigInt(a.id) < BigInt(b.id) ? 1 : -1);

async function sessionFor(isAdmin: boolean, teamId?: string) {
  const user = await createTestUser({ isAdmin });
  if (teamId) await db().membership.create({ data: { teamId, userId: user.id } });
  return (await createSession(user.id, { clientIp: "127.0.0.1", userAgent: "timeline" })).token;
}

const get = (path: string, session: string) => callRoute(changesRoute.GET, { path, session });

async function pageThrough(path: string, session: string) {
  const ids: string[] = [];
  const totals = new Set<number>();
  const bodies: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const answer = await get(cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path, session);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const page = answer.body as ChangesPage;
    bodies.push(JSON.stringify(page));
    ids.push(...page.changes.map((change) => change.id));
    totals.add(page.total);
    cursor = page.nextCursor;
    pages += 1;
    expect(pages).toBeLessThan(500);
  } while (cursor);
  return { ids, totals: [...totals], pages, text: bodies.join("\n") };
}

const expectedIds = (keep: (row: Seeded) => boolean) =>
  seeded
    .filter((row) => row.at.getTime() > Date.now() - 55 * 60_000)
    .filter(keep)
    .sort(newestFirst)
    .map((row) => row.id);

beforeAll(async () => {
  await resetDatabase();
  await db().cluster.createMany({
    data: [dev, edge, prod].map((id) => ({
      id,
      name: NAMES[id]!,
      server: "https://127.0.0.1:1",
      authType: "token" as const,
      credentialEnvelope: {},
    })),
  });
  const team = await db().team.create({ data: { name: "timeline" } });
  await db().grant.createMany({
    data: [
      { teamId: team.id, clusterIds: [dev], namespaces: ["team-a*"], level: "view", secrets: "none" },
      { teamId: team.id, clusterIds: [edge], namespaces: ["web"], level: "view", secrets: "metadata" },
    ],
  });
  viewer = await sessionFor(false, team.id);
  admin = await sessionFor(true);

  // 288 rows in the last 50 minutes, several sharing a timestamp (the id breaks ties), and 12 older ones.
  const now = Date.now();
  const rows: Array<Omit<Seeded, "id">> = [];
  for (let i = 0; i < 288; i += 1) {
    const [clusterId, namespace] = PLACES[i % PLACES.length]!;
    rows.push({
      at: new Date(now - 60_000 - Math.floor(i / 4) * 40_000),
      clusterId,
      namespace,
      kind: KINDS[Math.floor(i / 6) % KINDS.length]!,
      name: `obj-${i % 5 === 0 ? "payments" : "misc"}-${i}`,
      change: CHANGES[Math.floor(i / 18) % CHANGES.length]!,
    });
  }
  for (let i = 0; i < 12; i += 1) {
    const [clusterId, namespace] = PLACES[i % PLACES.length]!;
    rows.push({
      at: new Date(now - 2 * 3_600_000 - i * 1000),
      clusterId,
      namespace,
      kind: "configmaps",
      name: `old-${i}`,
      change: "changed",
    });
  }
  const ids = await insertChanges(rows);
  rows.forEach((row, i) => seeded.push({ ...row, id: ids[i]! }));
  // An entry of a cluster that is no longer registered: never listed, never counted.
  await insertChanges([{ clusterId: gone, namespace: "team-a", name: "orphan", at: new Date(now - 120_000) }]);
});

describe("GET /api/v1/inventory/changes", () => {
  it("pages an admin through the last hour: every entry once, newest first, exact total on every page", async () => {
    const result = await pageThrough("/api/v1/inventory/changes?pageSize=37", admin);
    const expected = expectedIds(() => true);
    expect(expected.length).toBe(288);
    expect(result.ids).toEqual(expected);
    expect(result.totals).toEqual([288]);
    expect(result.pages).toBe(Math.ceil(288 / 37));
    expect(result.text).not.toContain("orphan");
  });

  it("shows a team only its clusters and namespaces, counts only those, and never names the rest", async () => {
    const result = await pageThrough("/api/v1/inventory/changes?pageSize=25", viewer);
    const expected = expectedIds(viewerSees);
    expect(expected.length).toBeGreaterThan(40);
    expect(expected.length).toBeLessThan(288);
    expect(result.ids).toEqual(expected);
    expect(result.totals).toEqual([expected.length]);
    for (const hidden of [prod, NAMES[prod]!, "platform", '"other"']) expect(result.text).not.toContain(hidden);
    // No secret of dev: the team holds no secret access there, but sees edge's.
    const pageText = result.text;
    expect(pageText).toContain('"kind":"secrets"');
    const secrets = seeded
      .filter((row) => row.kind === "secrets" && row.clusterId === dev)
      .map((row) => `"id":"${row.id}"`);
    for (const id of secrets) expect(pageText).not.toContain(id);
  });

  it("answers a filter naming a hidden cluster exactly like one naming no cluster", async () => {
    const hidden = await get(`/api/v1/inventory/changes?clusters=${NAMES[prod]}`, viewer);
    const unknown = await get("/api/v1/inventory/changes?clusters=no-such-cluster", viewer);
    const byId = await get(`/api/v1/inventory/changes?clusters=${prod}`, viewer);
    for (const answer of [hidden, unknown, byId]) {
      expect(answer.status).toBe(200);
      expect((answer.body as ChangesPage).total).toBe(0);
      expect((answer.body as ChangesPage).changes).toEqual([]);
    }
    // The admin sees prod's entries under the same filter.
    const asAdmin = await get(`/api/v1/inventory/changes?clusters=${NAMES[prod]}`, admin);
    expect((asAdmin.body as ChangesPage).total).toBe(expectedIds((row) => row.clusterId === prod).length);
  });

  it("filters by cluster (names or ids), kind, namespace glob, name and change type, counting under the filters", async () => {
    const cases: Array<[string, (row: Seeded) => boolean]> = [
      [`clusters=dev,${edge}`, (row) => row.clusterId === dev || row.clusterId === edge],
      ["kind=deployments", (row) => row.kind === "deployments"],
      ["namespace=team-a*", (row) => row.namespace.startsWith("team-a")],
      ["namespace=team-a", (row) => row.namespace === "team-a"],
      ["q=payments", (row) => row.name.includes("payments")],
      ["change=health,deleted", (row) => row.change === "health" || row.change === "deleted"],
      [
        "clusters=dev&kind=configmaps&change=created&q=misc",
        (row) =>
          row.clusterId === dev && row.kind === "configmaps" && row.change === "created" && row.name.includes("misc"),
      ],
    ];
    for (const [filter, keep] of cases) {
      for (const [session, sees] of [
        [admin, () => true],
        [viewer, viewerSees],
      ] as const) {
        const result = await pageThrough(`/api/v1/inventory/changes?pageSize=200&${filter}`, session);
        const expected = expectedIds((row) => keep(row) && sees(row));
        expect(result.ids, filter).toEqual(expected);
        expect(result.totals, filter).toEqual([expected.length]);
      }
    }
  });

  it("reads an explicit range, older than the default hour", async () => {
    const from = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const to = new Date(Date.now() - 90 * 60_000).toISOString();
    const result = await pageThrough(`/api/v1/inventory/changes?from=${from}&to=${to}`, admin);
    expect(result.ids).toEqual(
      seeded
        .filter((row) => row.name.startsWith("old-"))
        .sort(newestFirst)
        .map((row) => row.id),
    );
    const page = (await get(`/api/v1/inventory/changes?from=${from}&to=${to}`, admin)).body as ChangesPage;
    expect(page.range).toEqual({ from, to });
  });

  it("gives each entry its cluster, health transition and the diff of the projection", async () => {
    const at = new Date(Date.now() - 30_000);
    const [id] = await insertChanges([
      {
        clusterId: dev,
        kind: "deployments",
        namespace: "team-a",
        name: "checkout",
        change: "health",
        at,
        healthBefore: "healthy",
        healthAfter: "degraded",
        before: { labels: { app: "checkout" }, health: "healthy", ready: 3, desired: 3, detail: { images: ["c:1"] } },
        after: { labels: { app: "checkout" }, health: "degraded", ready: 1, desired: 3, detail: { images: ["c:2"] } },
      },
    ]);
    const page = (await get("/api/v1/inventory/changes?q=checkout", viewer)).body as ChangesPage;
    expect(page.changes).toEqual([
      {
        id,
        at: at.toISOString(),
        change: "health",
        cluster: { id: dev, name: "dev" },
        kind: "deployments",
        namespace: "team-a",
        name: "checkout",
        resourceVersion: expect.stringMatching(/^\d+$/),
        health: { before: "healthy", after: "degraded" },
        diff: [
          { path: "health", op: "changed", before: "healthy", after: "degraded" },
          { path: "ready", op: "changed", before: 3, after: 1 },
          { path: "detail.images.0", op: "changed", before: "c:1", after: "c:2" },
        ],
      },
    ]);
    await db().inventoryChange.delete({ where: { id: BigInt(id!) } });
  });

  it("answers only the projection's own fields, whatever else a stored row holds", async () => {
    const canary = `canary-${randomUUID()}`;
    const [id] = await insertChanges([
      {
        clusterId: edge,
        kind: "secrets",
        namespace: "web",
        name: "leaky",
        change: "changed",
        at: new Date(Date.now() - 20_000),
        before: { labels: {}, detail: { keys: ["password"], secretType: "Opaque" } },
        after: {
          labels: {},
          data: { password: canary },
          stringData: canary,
          detail: { keys: ["password", "token"], secretType: "Opaque", values: { token: canary } },
        },
      },
    ]);
    for (const session of [admin, viewer]) {
      const answer = await get("/api/v1/inventory/changes?q=leaky", session);
      expect(answer.status).toBe(200);
      const page = answer.body as ChangesPage;
      expect(page.changes.map((change) => change.id)).toEqual([id]);
      expect(page.changes[0]!.diff).toEqual([{ path: "detail.keys.1", op: "added", after: "token" }]);
      expect(JSON.stringify(answer.body)).not.toContain(canary);
    }
    await db().inventoryChange.delete({ where: { id: BigInt(id!) } });
  });

  it("refuses bad input with a 400 naming the field, and changes nothing", async () => {
    const hour = 3_600_000;
    const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
    const cases: Array<[string, string]> = [
      [`from=${iso(0)}&to=${iso(-hour)}`, "to"],
      [`from=${iso(-8 * 24 * hour)}`, "from"],
      [`from=${iso(-9 * 24 * hour)}&to=${iso(-hour)}`, "from"],
      ["from=yesterday", "from"],
      ["to=0000-01-01", "to"],
      ["pageSize=201", "pageSize"],
      ["pageSize=0", "pageSize"],
      ["cursor=not-a-cursor", "cursor"],
      [`cursor=${encodeCursor("audit", { id: "5" })}`, "cursor"],
      [`cursor=${encodeCursor("changes", { at: "2026-01-01T00:00:00.000Z", id: "99999999999999999999" })}`, "cursor"],
      ["kind=pods", "kind"],
      ["kind=Deployment", "kind"],
      ["change=edited", "change"],
      ["namespace=Team_A", "namespace"],
      ["sort=name", "sort"],
    ];
    const before = await db().inventoryChange.count();
    for (const [query, field] of cases) {
      const answer = await get(`/api/v1/inventory/changes?${query}`, admin);
      expect(answer.status, query).toBe(400);
      const error = (answer.body as { error: { code: string; fields: Record<string, string[]> } }).error;
      expect(error.code, query).toBe("validation_failed");
      expect(Object.keys(error.fields), query).toContain(field);
    }
    expect(await db().inventoryChange.count()).toBe(before);
  });

  it("continues a cursor with the same filters however old the page is, and a cursor carries no authority", async () => {
    // The viewer starts from a cursor placed at the newest prod entry: the page still holds only its own.
    const newestProd = seeded.filter((row) => row.clusterId === prod).sort(newestFirst)[0]!;
    const cursor = encodeCursor("changes", { at: newestProd.at.toISOString(), id: newestProd.id });
    const page = (await get(`/api/v1/inventory/changes?pageSize=200&cursor=${cursor}`, viewer)).body as ChangesPage;
    const expected = expectedIds(viewerSees).filter((id) => {
      const row = seeded.find((candidate) => candidate.id === id)!;
      return newestFirst(row, newestProd) > 0;
    });
    expect(page.changes.map((change) => change.id)).toEqual(expected);
  });
});
