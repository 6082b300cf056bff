import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/server/db/client";
import { resetDatabase } from "@/lib/testing/reset-database";
import { randomBytes } from "node:crypto";
import { auditHash, GENESIS_HASH, legacyAuditHash, type ChainedFields } from "./chain";
import { auditChainKey } from "./chain-key";
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

  /** Issue 20, point 3: odd text must not raise a false tamper alarm, nor make the write fail. */
  it("every kind of odd text is stored as hashed: audit:verify stays clean", async () => {
    const odd = [
      "\ud800",
      "lone low \udfff end",
      "reversed pair \ude00\ud83d",
      "nul\u0000 bell\u0007 del\u007f",
      "c1 \u0085 next line",
      "tab\tline\ncr\r",
      "rlo \u202Egnp.exe and zero\u200Bwidth \uFEFF bom",
      "caf\u00e9",
      "cafe\u0301",
      "emoji \ud83d\ude00 \u{1F469}\u200D\u{1F4BB}",
      "line\u2028separator",
      "x".repeat(2100) + "\ud83d\ude00",
      "x".repeat(1998) + "\ud83d\ude00",
    ];
    for (const [i, text] of odd.entries()) {
      await recordAudit({
        actor: { userId: null, email: text, via: "token" },
        action: `odd.${text}`,
        target: { cluster: text, namespace: text, kind: "ApiToken", name: text },
        result: "success",
        httpStatus: 201,
        requestId: `odd-${i}`,
        clientIp: text,
        details: {
          name: text,
          [text]: "as a key",
          list: [text, undefined, Number.NaN, -0, 1e21, 0.1 + 0.2, 2 ** 60, 5e-324, Number.MAX_VALUE],
          when: new Date(Date.UTC(2026, 0, 2)),
          big: 12345678901234567890n,
          nested: { z: 1, a: { "\u00e9": 1, e: 2, "": 3 }, constructor: "c", toString: "t" },
          ...JSON.parse('{"__proto__": {"polluted": true}}'),
        },
      });
    }
    const report = await verifyAuditChain();
    expect(report).toMatchObject({ rows: odd.length, problems: [] });
    // NFC and NFD stay different stored text, so turning one into the other is an edit.
    const rows = await db().auditEvent.findMany({ orderBy: { id: "asc" } });
    expect(rows[7]!.targetName).toBe("caf\u00e9");
    expect(rows[8]!.targetName).toBe("cafe\u0301");
    expect(rows[0]!.targetName).toBe("\ufffd");
    expect(rows[0]!.details).toMatchObject({ when: "2026-01-02T00:00:00.000Z", big: "12345678901234567890" });
    expect(Object.getOwnPropertyNames(rows[0]!.details)).toContain("[__proto__]");
    await tamper("UPDATE audit_events SET target_name = 'cafe\u0301' WHERE id = 8");
    expect((await verifyAuditChain()).problems).toEqual([{ id: "8", problem: expect.stringMatching(/edited/) }]);
  });

  it("a row whose text holds U+FFFD and does not verify is reported with the likely cause", async () => {
    // As versions before issue 20 wrote a token name with a lone surrogate: hashed over \ud800, stored as U+FFFD.
    const fields: ChainedFields = {
      at: new Date(Date.UTC(2026, 10, 1)),
      actorUserId: null,
      actorEmail: "old@example.com",
      actorVia: "session",
      action: "token.create",
      targetCluster: null,
      targetNamespace: null,
      targetKind: "ApiToken",
      targetName: "ci \ud800",
      result: "success",
      httpStatus: 201,
      requestId: "old-surrogate",
      clientIp: null,
      details: {},
    };
    const hash = auditHash(GENESIS_HASH, fields, await auditChainKey());
    await db().auditEvent.create({
      data: { ...fields, result: "success", details: {}, prevHash: GENESIS_HASH, hash },
    });
    expect(await db().auditEvent.findFirstOrThrow()).toMatchObject({ targetName: "ci \ufffd" });
    expect((await verifyAuditChain()).problems).toEqual([
      { id: "1", problem: expect.stringMatching(/edited or forged.*U\+FFFD.*lone surrogate/) },
    ]);
  });

  it("rows hashed by the previous writer (same v2 form) still verify", async () => {
    // The form of the hash did not change: a row as the issue-12 code wrote it verifies as before.
    const fields: ChainedFields = {
      at: new Date(Date.UTC(2026, 5, 1, 12, 0, 0, 123)),
      actorUserId: null,
      actorEmail: "old@example.com",
      actorVia: "session",
      action: "team.create",
      targetCluster: null,
      targetNamespace: null,
      targetKind: "Team",
      targetName: "\u00e9quipe \ud83d\ude00",
      result: "success",
      httpStatus: 201,
      requestId: "old-request",
      clientIp: "127.0.0.1",
      details: { b: [1, "two"], a: { y: null, x: 1.5 } },
    };
    const hash = auditHash(GENESIS_HASH, fields, await auditChainKey());
    await db().auditEvent.create({
      data: { ...fields, result: "success", details: fields.details as object, prevHash: GENESIS_HASH, hash },
    });
    await seedEvents(1);
    expect(await verifyAuditChain()).toMatchObject({ rows: 2, problems: [] });
  });
});
