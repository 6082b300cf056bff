import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { INVENTORY_COUNT_LIMIT } from "@/lib/api/inventory-types";
import { Prisma } from "@/lib/generated/prisma/client";
import { parseSelector } from "@/lib/k8s/label-selector";
import { listInventoryQuerySchema } from "@/lib/schemas/inventory";
import type { AccessProfile } from "@/lib/server/access/policy";
import { registerCluster } from "@/lib/server/clusters/register";
import { db } from "@/lib/server/db/client";
import { leaseToFixture } from "@/lib/testing/fleet-index";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { inventoryStatements, queryInventory } from "../query";
import { finishList, markResumed, writeBatch, type Holder, type IndexRow } from "./batch-writer";
import { claim, release } from "./lease";
import { stopCollectorsInProcess } from "./supervisor";
import { purgeTimeline } from "@/lib/server/inventory/timeline/purge";
import { purgeTombstones } from "./retention";

/**
 * The fleet index against real Postgres: the batch writer never moves an object backwards
 * (replayed or late events), keeps deletes as tombstones, writes nothing once its lease is
 * gone, and records one timeline row per real change; the read path applies the caller's
 * grants inside the query. Rows are written under a fixture lease, so no collector of this
 * process claims these (cluster, kind)s.
 */

const tag = randomBytes(3).toString("hex");
let clusterId: string;
let otherClusterId: string;

const row = (uid: string, rv: number, extra: Partial<IndexRow> = {}): IndexRow => ({
  uid,
  namespace: "team-a",
  name: `cm-${uid}`,
  labels: { rv: String(rv) },
  created_at: "2026-12-05T07:00:00Z",
  rv: String(rv),
  health: null,
  ready: null,
  desired: null,
  size: rv,
  detail: { keys: ["a"], keyCount: 1 },
  deleted: false,
  ...extra,
});

const objectOf = async (uid: string) =>
  db().inventoryObject.findUnique({ where: { clusterId_kind_uid: { clusterId, kind: "configmaps", uid } } });
const changesOf = async (uid: string) =>
  (await db().inventoryChange.findMany({ where: { uid }, orderBy: { id: "asc" } })).map((c) => [
    c.change,
    Number(c.resourceVersion),
  ]);

beforeAll(async () => {
  const tb = await testbed();
  await resetDatabase();
  clusterId = (await registerCluster(registrationFor(tb, "testbed-1", `index-${tag}`))).id;
  otherClusterId = (await registerCluster(registrationFor(tb, "testbed-2", `index-other-${tag}`))).id;
  await leaseToFixture(clusterId, "configmaps");
  await leaseToFixture(clusterId, "secrets");
  await leaseToFixture(otherClusterId, "configmaps");
}, 300_000);

describe("batch writer", () => {
  const holder = (): Holder => ({ clusterId, kind: "configmaps", holder: "test-fixture" });

  it("never moves an object backwards: a replayed or late event changes nothing and adds no timeline row", async () => {
    expect((await writeBatch(holder(), [row("u1", 10)], null)).written).toBe(1);
    expect((await writeBatch(holder(), [row("u1", 12, { labels: { rv: "12" } })], null)).written).toBe(1);
    // The event of rv 11 arrives late (a replay after a reconnect, or a slow batch of another watch).
    const late = await writeBatch(holder(), [row("u1", 11, { labels: { rv: "11" } })], null);
    expect(late).toMatchObject({ leased: true, written: 0, changes: 0 });
    const stored = await objectOf("u1");
    expect([Number(stored!.resourceVersion), stored!.labels]).toEqual([12, { rv: "12" }]);
    // The same event twice in one batch, newest wins; the older copy is not written over it.
    await writeBatch(
      holder(),
      [row("u1", 14, { labels: { rv: "14" } }), row("u1", 13, { labels: { rv: "13" } })],
      null,
    );
    expect((await objectOf("u1"))!.labels).toEqual({ rv: "14" });
    expect(await changesOf("u1")).toEqual([
      ["created", 10],
      ["changed", 12],
      ["changed", 14],
    ]);
  });

  it("keeps a delete as a tombstone that a late ADDED cannot bring back", async () => {
    await writeBatch(holder(), [row("u2", 20)], null);
    await writeBatch(holder(), [row("u2", 22, { deleted: true })], null);
    await writeBatch(holder(), [row("u2", 21)], null);
    const stored = await objectOf("u2");
    expect(stored!.deletedAt).not.toBeNull();
    expect(Number(stored!.resourceVersion)).toBe(22);
    const changes = await db().inventoryChange.findMany({ where: { uid: "u2" }, orderBy: { id: "asc" } });
    expect(changes.map((c) => [c.change, c.before === null, c.after === null])).toEqual([
      ["created", true, false],
      ["deleted", false, true],
    ]);
  });

  it("records a health transition with the projection before and after", async () => {
    await writeBatch(holder(), [row("u3", 30, { health: "healthy", ready: 2, desired: 2 })], null);
    await writeBatch(holder(), [row("u3", 31, { health: "degraded", ready: 1, desired: 2 })], null);
    const [, transition] = await db().inventoryChange.findMany({ where: { uid: "u3" }, orderBy: { id: "asc" } });
    expect(transition).toMatchObject({ change: "health", healthBefore: "healthy", healthAfter: "degraded" });
    expect(transition!.before).toMatchObject({ ready: 2, desired: 2, health: "healthy" });
    expect(transition!.after).toMatchObject({ ready: 1, desired: 2, health: "degraded" });
  });

  it("after a complete list, tombstones what the list no longer has, and only what is older than it", async () => {
    await writeBatch(holder(), [row("u4", 40), row("u5", 41)], null);
    expect(await finishList(holder(), { uids: ["u4"], resourceVersion: "45", listMs: 5 })).toBe(true);
    expect((await objectOf("u4"))!.deletedAt).toBeNull();
    expect((await objectOf("u5"))!.deletedAt).not.toBeNull();
    expect((await changesOf("u5")).at(-1)).toEqual(["deleted", 45]);
  });

  it("writes nothing once the lease is another holder's", async () => {
    const stranger: Holder = { clusterId, kind: "configmaps", holder: "someone-else" };
    expect(await writeBatch(stranger, [row("u6", 60)], { resourceVersion: "60" })).toEqual({
      leased: false,
      written: 0,
      changes: 0,
    });
    expect(await objectOf("u6")).toBeNull();
    expect(await finishList(stranger, { uids: [], resourceVersion: "99", listMs: 1 })).toBe(false);
    expect((await objectOf("u4"))!.deletedAt).toBeNull();
  });

  it("fills an empty index without timeline rows (a first list, or a restart, never floods the timeline)", async () => {
    await leaseToFixture(otherClusterId, "configmaps", "syncing");
    const fill: Holder = { clusterId: otherClusterId, kind: "configmaps", holder: "test-fixture" };
    expect((await writeBatch(fill, [row("f1", 5), row("f2", 6)], null)).changes).toBe(0);
    expect(await finishList(fill, { uids: ["f1", "f2"], resourceVersion: "6", listMs: 1 })).toBe(true);
    // Live from here on: a real change is recorded.
    expect((await writeBatch(fill, [row("f3", 7)], null)).changes).toBe(1);
  });
});

describe("retention", () => {
  it("purges tombstones and timeline rows older than the retention, and nothing newer", async () => {
    await db().$executeRaw`UPDATE inventory_objects SET deleted_at = now() - interval '5 hours' WHERE uid = 'u2'`;
    await db().$executeRaw`UPDATE inventory_changes SET at = now() - interval '5 hours' WHERE uid = 'u1'`;
    const before = await db().inventoryChange.count();
    // u1: created, changed twice, and deleted by the list that no longer had it.
    expect(await purgeTombstones(4)).toBe(1);
    // The timeline purge reads the retention from the environment (72 h by default): 4 h are 68 h ahead.
    expect(await purgeTimeline(new Date(Date.now() + 68 * 3_600_000))).toBe(4);
    expect(await objectOf("u2")).toBeNull();
    expect(await objectOf("u5")).not.toBeNull(); // a tombstone within the retention stays
    expect(await db().inventoryChange.count()).toBe(before - 4);
  });
});

describe("grants inside the query", () => {
  it("a team with one namespace in a cluster of 10,000 objects gets a full first page of its own, filtered in SQL", async () => {
    await db().$executeRaw`
      INSERT INTO inventory_objects (cluster_id, kind, uid, namespace, name, labels, resource_version, size, detail)
      SELECT ${otherClusterId}::uuid, 'configmaps', 'bulk-' || i,
        CASE WHEN i % 100 < 2 THEN 'team-a' ELSE 'ns-' || (i % 50) END, 'bulk-' || lpad(i::text, 5, '0'),
        '{}'::jsonb, 1000 + i, 10, '{}'::jsonb
      FROM generate_series(1, 10000) AS i`;
    await db().$executeRaw`ANALYZE inventory_objects`;
    const profile: AccessProfile = {
      userId: "u",
      email: "team@example.com",
      isAdmin: false,
      teamNames: ["t"],
      memberOf: new Set(),
      maintainerOf: new Set(),
      grants: [
        {
          grantId: "g",
          teamId: "t",
          teamName: "t",
          clusterIds: new Set([otherClusterId]),
          namespaces: ["team-a"],
          clusterScoped: false,
          level: "view",
          secrets: "none",
        },
      ],
    };
    const query = listInventoryQuerySchema.parse({ view: "configmaps" });
    const answer = await queryInventory(profile, query);
    expect(answer.clusters.map((c) => [c.name, c.state])).toEqual([[`index-other-${tag}`, "ok"]]);
    // 200 bulk objects plus f1..f3 of the test above, all in team-a.
    expect(answer.total).toBe(203);
    expect(answer.items).toHaveLength(100);
    expect(answer.items.every((item) => item.namespace === "team-a")).toBe(true);

    const statements = inventoryStatements({
      profile,
      query,
      kinds: ["configmaps"],
      labelSelector: null,
      clusterIds: [otherClusterId],
      readable: null,
      offset: 0,
      take: 100,
    });
    const plan = (await db().$queryRaw<Array<{ "QUERY PLAN": string }>>(Prisma.sql`EXPLAIN ${statements.page}`))
      .map((line) => line["QUERY PLAN"])
      .join("\n");
    // The grant (namespace LIKE ANY the team's patterns) is a condition on the scan of the index, not a later step.
    expect(plan).toMatch(/inventory_objects/);
    expect(plan).toMatch(/~~ ANY/);
  });

  it("counts matches up to the limit and says so, pages on beyond it, and counts exactly where asked", async () => {
    const admin: AccessProfile = {
      userId: "a",
      email: "a@example.com",
      isAdmin: true,
      teamNames: [],
      memberOf: new Set(),
      maintainerOf: new Set(),
      grants: [],
    };
    const query = listInventoryQuerySchema.parse({ view: "configmaps", clusters: `index-other-${tag}` });
    const exact = await queryInventory(admin, query, { exactCounts: true });
    expect(exact.totalCapped).toBe(false);
    expect(exact.total).toBeGreaterThan(INVENTORY_COUNT_LIMIT);
    expect(exact.clusters.map((c) => c.count)).toEqual([exact.total]);

    const capped = await queryInventory(admin, query);
    expect(capped.totalCapped).toBe(true);
    expect(capped.total).toBe(INVENTORY_COUNT_LIMIT);
    expect(capped.clusters.map((c) => [c.state, c.count])).toEqual([["ok", null]]);
    expect(capped.items).toHaveLength(100);
    // The page after the counted limit still answers, with the objects beyond it.
    const beyond = await queryInventory(admin, { ...query, page: INVENTORY_COUNT_LIMIT / 100 + 1 });
    expect(beyond.items).toHaveLength(exact.total - INVENTORY_COUNT_LIMIT);
    // Fewer matches than the limit are counted exactly.
    const few = await queryInventory(admin, { ...query, namespace: "team-a" });
    expect([few.totalCapped, few.total, few.clusters[0]!.count]).toEqual([false, 203, 203]);
  });

  it("refuses a label selector too large to translate, naming the field", async () => {
    const many = Array.from({ length: 21 }, (_, i) => `k${i}`).join(",");
    const query = listInventoryQuerySchema.parse({ view: "configmaps", labelSelector: many });
    expect(parseSelector(many).requirements).toHaveLength(21);
    await expect(
      queryInventory(
        {
          userId: "a",
          email: "a@example.com",
          isAdmin: true,
          teamNames: [],
          memberOf: new Set(),
          maintainerOf: new Set(),
          grants: [],
        },
        query,
      ),
    ).rejects.toMatchObject({ status: 400, options: { fields: { labelSelector: [expect.any(String)] } } });
  });
});

describe("takeover", () => {
  it("hands a new holder the resourceVersion the index was filled up to, and a never-filled (cluster, kind) none", async () => {
    await stopCollectorsInProcess(); // nothing of this process claims while the test does
    await db().$executeRaw`
      INSERT INTO inventory_collectors (cluster_id, kind, holder, lease_until, state, live, synced_at, resource_version)
      VALUES (${clusterId}::uuid, 'deployments', 'gone-instance', now() - interval '1 second', 'synced', true, now(), '4242'),
        (${clusterId}::uuid, 'statefulsets', 'gone-instance', now() - interval '1 second', 'syncing', false, NULL, '77')
      ON CONFLICT (cluster_id, kind) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until,
        state = EXCLUDED.state, live = EXCLUDED.live, synced_at = EXCLUDED.synced_at,
        resource_version = EXCLUDED.resource_version`;
    const claimed = await claim("test-claimer", 1000);
    try {
      const resumeOf = (kind: string) =>
        claimed.find((lease) => lease.clusterId === clusterId && lease.kind === kind)?.resumeFrom;
      expect(resumeOf("deployments")).toBe("4242");
      expect(resumeOf("statefulsets")).toBeNull();
      // Resuming is fenced on the lease like every write: live again for the holder, refused for anyone else.
      const holder: Holder = { clusterId, kind: "deployments", holder: "test-claimer" };
      expect(await markResumed({ ...holder, holder: "someone-else" })).toBe(false);
      expect(await markResumed(holder)).toBe(true);
      const row = await db().inventoryCollector.findUnique({
        where: { clusterId_kind: { clusterId, kind: "deployments" } },
      });
      expect(row).toMatchObject({ live: true, state: "synced", lastErrorCode: null });
    } finally {
      await release("test-claimer", "all");
    }
  });
});
