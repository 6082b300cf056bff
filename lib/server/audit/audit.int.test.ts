import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/server/db/client";
import { resetDatabase } from "@/lib/testing/reset-database";
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
    await tamper("DELETE FROM audit_events WHERE id = 3");
    expect((await verifyAuditChain()).headHash).not.toBe(head);
  });
});
