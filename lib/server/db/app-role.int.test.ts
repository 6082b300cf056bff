import { randomBytes } from "node:crypto";
import PgBoss from "pg-boss";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createScratchDatabase, type TestDatabase } from "@/lib/testing/test-database";
import { ensureAppRole, QUEUE_SCHEMA } from "./app-role";
import { migrate } from "./migrate";

/**
 * Issue 12, point 4: the role the server runs as cannot rewrite the audit log. Roles are
 * cluster-wide, so this test uses its own role name and drops it at the end.
 */

const role = `archipelago_app_${randomBytes(4).toString("hex")}`;
const password = randomBytes(12).toString("hex");
const scratches: TestDatabase[] = [];

const asRole = (url: string) => {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = password;
  return parsed.toString();
};

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function freshDatabase(label: string): Promise<string> {
  const scratch = await createScratchDatabase(process.env.DATABASE_URL!, label);
  scratches.push(scratch);
  await migrate(scratch.url);
  return scratch.url;
}

afterAll(async () => {
  for (const scratch of scratches) await scratch.dispose();
  const admin = new URL(process.env.DATABASE_URL!);
  admin.pathname = "/postgres";
  await withClient(admin.toString(), (client) => client.query(`DROP ROLE IF EXISTS "${role}"`));
});

describe("the application's database role", () => {
  it("is no superuser, owns no table, and may only read and append the audit log", async () => {
    const owner = await freshDatabase("approle");
    await ensureAppRole(owner, { role, password });
    await ensureAppRole(owner, { role, password }); // idempotent
    await withClient(asRole(owner), async (app) => {
      expect((await app.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).rows).toEqual([
        { rolsuper: false },
      ]);
      expect(
        (await app.query("SELECT tablename FROM pg_tables WHERE tableowner = current_user AND schemaname <> 'pgboss'"))
          .rows,
      ).toEqual([]);
      await app.query("INSERT INTO teams (id, name, updated_at) VALUES (gen_random_uuid(), 'ok', now())");
      await app.query("UPDATE teams SET description = 'fine'");
      expect((await app.query("SELECT count(*)::int AS n FROM audit_events")).rows).toEqual([{ n: 0 }]);
      for (const sql of [
        "UPDATE audit_events SET action = 'x'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_events_no_update_delete ON audit_events",
        "SET session_replication_role = replica",
        "SELECT * FROM _prisma_migrations",
        "UPDATE sealed_keys SET name = 'x'",
        "DELETE FROM sealed_keys",
        "CREATE SCHEMA sneaky",
        "CREATE TABLE public.sneaky (a int)",
      ])
        await expect(app.query(sql), sql).rejects.toThrow(/permission denied|must be owner/);
    });
  });

  it("owns the job queue's schema and runs pg-boss in it, including one a superuser app created before", async () => {
    const fresh = await freshDatabase("approle_queue");
    const upgraded = await freshDatabase("approle_upgrade");
    // The earlier version ran pg-boss as the superuser: its schema belongs to that role.
    const before = new PgBoss({ connectionString: upgraded, schema: QUEUE_SCHEMA });
    before.on("error", () => undefined);
    await before.start();
    await before.stop({ graceful: false, wait: true });
    for (const url of [fresh, upgraded]) {
      await ensureAppRole(url, { role, password });
      await withClient(url, async (owner) => {
        const foreign = await owner.query(
          `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'S') AND pg_get_userbyid(c.relowner) <> $2`,
          [QUEUE_SCHEMA, role],
        );
        expect(foreign.rows).toEqual([]);
      });
      const boss = new PgBoss({ connectionString: asRole(url), schema: QUEUE_SCHEMA, max: 2 });
      boss.on("error", () => undefined);
      await boss.start();
      try {
        await boss.createQueue("role-test");
        expect(await boss.send("role-test", { ok: true })).toMatch(/^[0-9a-f-]{36}$/);
      } finally {
        await boss.stop({ graceful: false, wait: true });
      }
    }
  });
});
