import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/server/db/client";
import { resetDatabase } from "@/lib/testing/reset-database";
import { randomBytes } from "node:crypto";
import { auditHash, legacyAuditHash, type ChainedFields } from "./chain";
import { recordAudit } from "./record";
import { verifyAuditChain } from "./verify";

beforeEach(resetDatabase);

async function seedEvents(count: number) {
  for (let i = 0; i < count; i += 1) {
    await recordAudit({
      actor: { userId: null, email: `user${i}@example.com`, via: "session" },
      action: "test.event",
      target: { cluster: "c", name: `n${i}` },
      result: "success",
      requestId: `req-${i}`,
      details: { i, nested: { b: 1, a: [1, 2] } },
    });
  }
}

/** Simulates a superuser going around the application (triggers off for one transaction). */
async function tamper(sql: string) {
  await db().$transaction([
    db().$executeRawUnsafe("SET LOCAL session_replication_role = replica"),
    db().$executeRawUnsafe(sql),
  ]);
}

describe("audit log", () => {
  it("is append-only: the database refuses UPDATE, DELETE and TRUNCATE", async () => {
    await seedEvents(2);
    await expect(db().$executeRawUnsafe("UPDATE audit_events SET action = 'x'")).rejects.toThrow(/append-only/);
    await expect(db().$executeRawUnsafe("DELETE FROM audit_events")).rejects.toThrow(/append-only/);
    await expect(db().$executeRawUnsafe("TRUNCATE audit_events")).rejects.toThrow(/append-only/);
    expect(await db().auditEvent.count()).toBe(2);
  });

  it("chains every row to the previous one, even under concurrent writes", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAudit({ actor: null, action: "concurrent", result: "success", details: { i } }),
      ),
    );
    const report = await verifyAuditChain();
    expect(report).toMatchObject({ rows: 20, problems: [] });
  });

  it("verification detects an edited row", async () => {
    await seedEvents(5);
    await tamper("UPDATE audit_events SET actor_email = 'someone-else@example.com' WHERE id = 3");
    const report = await verifyAuditChain();
    expect(report.problems).toEqual([{ id: "3", problem: expect.stringMatching(/edited/) }]);
  });

  it("verification detects a removed row", async () => {
    await seedEvents(5);
    await tamper("DELETE FROM audit_events WHERE id = 2");
    const report = await verifyAuditChain();
    expect(report.problems).toEqual([{ id: "3", problem: expect.stringMatching(/removed or changed/) }]);
  });

  it("verification detects a removed newest row when given the recorded head", async () => {
    await seedEvents(3);
    const head = (await verifyAuditChain()).headHash;
    expect((await verifyAuditChain({ expectHead: head })).expectedHead).toEqual({ found: true, rowsAfter: 0 });
    await seedEvents(2);
    // New rows after an exported head are fine: the head is still in the chain.
    expect((await verifyAuditChain({ expectHead: head })).expectedHead).toEqual({ found: true, rowsAfter: 2 });
    await tamper("DELETE FROM audit_events WHERE id >= 3");
    const report = await verifyAuditChain({ expectHead: head });
    expect(report.problems).toEqual([]);
    expect(report.expectedHead).toEqual({ found: false });
  });

  /** Issue 12: the attack that used to pass. A superuser edits a row and re-chains everything after it. */
  it("a superuser who edits a row and recomputes the chain (unkeyed SHA-256, or HMAC under a guessed key) is caught", async () => {
    await seedEvents(4);
    const rows = await db().auditEvent.findMany({ orderBy: { id: "asc" } });
    for (const rechain of [
      (prev: string, fields: ChainedFields) => legacyAuditHash(prev, fields),
      (prev: string, fields: ChainedFields) => auditHash(prev, fields, randomBytes(32)),
    ]) {
      let prev = rows[1]!.hash;
      const statements: string[] = [];
      for (const row of rows.slice(2)) {
        const fields = {
          ...row,
          actorEmail: row.id === 3n ? "forger@example.com" : row.actorEmail,
          result: row.result,
        };
        const hash = rechain(prev, fields);
        statements.push(
          `UPDATE audit_events SET actor_email = '${fields.actorEmail}', prev_hash = '${prev}', hash = '${hash}' WHERE id = ${row.id}`,
        );
        prev = hash;
      }
      await db().$transaction([
        db().$executeRawUnsafe("SET LOCAL session_replication_role = replica"),
        ...statements.map((sql) => db().$executeRawUnsafe(sql)),
      ]);
      const report = await verifyAuditChain();
      expect(report.problems.map((p) => p.id)).toEqual(expect.arrayContaining(["3", "4"]));
      expect(report.problems.find((p) => p.id === "3")?.problem).toMatch(/unkeyed row after keyed|edited or forged/);
    }
  });

  it("rows written before the chain was keyed stay verifiable and are sealed by the first keyed row", async () => {
    // Two legacy rows as the old code wrote them, then keyed rows on top.
    let prev = "0".repeat(64);
    for (const i of [1, 2]) {
      const fields: ChainedFields = {
        at: new Date(Date.UTC(2026, 0, i)),
        actorUserId: null,
        actorEmail: `old${i}@example.com`,
        actorVia: "session",
        action: "legacy.event",
        targetCluster: null,
        targetNamespace: null,
        targetKind: null,
        targetName: null,
        result: "success",
        httpStatus: 200,
        requestId: null,
        clientIp: null,
        details: { i },
      };
      const hash = legacyAuditHash(prev, fields);
      await db().auditEvent.create({
        data: { ...fields, result: "success", details: fields.details as object, prevHash: prev, hash },
      });
      prev = hash;
    }
    await seedEvents(2);
    expect(await verifyAuditChain()).toMatchObject({ rows: 4, problems: [] });
    // Editing a legacy row and re-hashing it the old way breaks the first keyed row's link.
    const row2 = await db().auditEvent.findFirstOrThrow({ where: { id: 2 } });
    const rehash = legacyAuditHash(row2.prevHash, { ...row2, actorEmail: "rewritten@example.com" });
    await tamper(`UPDATE audit_events SET actor_email = 'rewritten@example.com', hash = '${rehash}' WHERE id = 2`);
    expect((await verifyAuditChain()).problems).toEqual([{ id: "3", problem: expect.stringMatching(/does not link/) }]);
  });
});
