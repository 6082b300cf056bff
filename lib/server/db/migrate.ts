import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/**
 * Applies prisma/migrations/<name>/migration.sql files in name order, each in its own
 * transaction, and records them in `_prisma_migrations` exactly as `prisma migrate
 * deploy` does (same table, checksum and lock), so Prisma's CLI and this runner can be
 * used on the same database interchangeably. We run it ourselves because Prisma 7's
 * CLI needs a native schema engine that cannot be downloaded on every machine.
 */

/** Prisma Migrate's advisory lock key, so the CLI and this runner never interleave. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  warnings: string[];
}

export class MigrationError extends Error {
  constructor(
    readonly migrationName: string,
    detail: string,
  ) {
    super(`Migration ${migrationName} failed and was rolled back; the schema is unchanged. ${detail}`);
    this.name = "MigrationError";
  }
}

export const defaultMigrationsDir = () => path.resolve(process.cwd(), "prisma", "migrations");

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    folders.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function migrate(connectionString: string, dir: string = defaultMigrationsDir()): Promise<MigrateResult> {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const result: MigrateResult = { applied: [], alreadyApplied: [], warnings: [] };
    const live = rows.filter((row) => row.rolled_back_at === null);

    const unfinished = live.find((row) => row.finished_at === null);
    if (unfinished) {
      // Same rule as Prisma (P3009): a half-applied migration needs a human decision.
      throw new MigrationError(
        unfinished.migration_name,
        "It is recorded as started but not finished (by an earlier run or Prisma's CLI); " +
          "resolve it with `prisma migrate resolve` before starting.",
      );
    }

    const known = new Set(migrations.map((m) => m.name));
    for (const row of live) {
      if (!known.has(row.migration_name)) {
        result.warnings.push(`Migration ${row.migration_name} is applied but missing from ${dir}.`);
      }
    }

    for (const migration of migrations) {
      const applied = live.find((row) => row.migration_name === migration.name);
      if (applied) {
        if (applied.checksum !== migration.checksum) {
          result.warnings.push(`Migration ${migration.name} was edited after it was applied.`);
        }
        result.alreadyApplied.push(migration.name);
        continue;
      }
      await applyOne(client, migration);
      result.applied.push(migration.name);
    }
    return result;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 0)`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [
      id,
    ]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    const detail = error instanceof Error ? error.message : String(error);
    throw new MigrationError(migration.name, `Database said: ${detail}`);
  }
}
