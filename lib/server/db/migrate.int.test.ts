import { createHash } from "node:crypto";
import { cp, mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createScratchDatabase, type TestDatabase } from "@/lib/testing/test-database";
import { defaultMigrationsDir, migrate, MigrationError, readMigrations } from "./migrate";

let scratch: TestDatabase;
let dir: string;

beforeEach(async () => {
  scratch = await createScratchDatabase(process.env.DATABASE_URL!, "migrate");
  dir = await mkdtemp(path.join(os.tmpdir(), "archipelago-migrations-"));
  await cp(defaultMigrationsDir(), dir, { recursive: true });
});

afterEach(async () => {
  await scratch.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function tables(): Promise<string[]> {
  const rows = await query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
  );
  return rows.map((row) => row.tablename);
}

describe("migrate", () => {
  it("applies every migration and records it the way prisma migrate deploy does", async () => {
    const files = await readMigrations(dir);
    const result = await migrate(scratch.url, dir);
    expect(result.applied).toEqual(files.map((file) => file.name));
    expect(await tables()).toEqual(
      expect.arrayContaining(["_prisma_migrations", "users", "sessions", "throttle_buckets"]),
    );

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows).toHaveLength(files.length);
    for (const [index, row] of rows.entries()) {
      const file = files[index]!;
      expect(row.migration_name).toBe(file.name);
      expect(row.checksum).toBe(createHash("sha256").update(file.sql).digest("hex"));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("is a no-op when run again", async () => {
    await migrate(scratch.url, dir);
    const second = await migrate(scratch.url, dir);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied.length).toBeGreaterThan(0);
    const [count] = await query<{ n: string }>(`SELECT count(*) AS n FROM "_prisma_migrations"`);
    expect(Number(count?.n)).toBe(second.alreadyApplied.length);
  });

  it("rolls a failing migration back entirely and names it", async () => {
    await migrate(scratch.url, dir);
    const before = await tables();
    const broken = path.join(dir, "29990101000000_broken");
    await mkdir(broken);
    // The first statement succeeds, the second fails: the first must not survive.
    await writeFile(
      path.join(broken, "migration.sql"),
      'CREATE TABLE "half_done" (id int);\nALTER TABLE "no_such_table" ADD COLUMN x int;\n',
    );

    const failure = migrate(scratch.url, dir);
    await expect(failure).rejects.toBeInstanceOf(MigrationError);
    await expect(failure).rejects.toThrow(/29990101000000_broken/);
    expect(await tables()).toEqual(before);
    const recorded = await query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`);
    expect(recorded).toHaveLength(0);
  });

  it("refuses to continue past a migration that Prisma recorded as unfinished", async () => {
    await migrate(scratch.url, dir);
    await query(`UPDATE "_prisma_migrations" SET finished_at = NULL`);
    await expect(migrate(scratch.url, dir)).rejects.toThrow(/recorded as started but not finished/);
  });

  it("warns when an applied migration file was edited afterwards", async () => {
    await migrate(scratch.url, dir);
    const [first] = await readMigrations(dir);
    await writeFile(path.join(dir, first!.name, "migration.sql"), `${first!.sql}\n-- edited\n`);
    const result = await migrate(scratch.url, dir);
    expect(result.warnings.join("\n")).toMatch(/edited after it was applied/);
  });
});
