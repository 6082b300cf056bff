import "server-only";
import { dataDir, env } from "@/lib/server/config/env";
import { liveEmbeddedUrl, startEmbeddedPostgres } from "@/lib/server/db/embedded";
import pg from "pg";
import { ensureAppRole } from "@/lib/server/db/app-role";
import { migrate } from "@/lib/server/db/migrate";
import { logger } from "@/lib/server/log/logger";

export interface OpenDatabase {
  /** What the application connects with: the app role for the embedded default. */
  url: string;
  /** The schema owner's URL, for migrations and maintenance tools. */
  ownerUrl: string;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * DATABASE_URL set: use that Postgres and embed nothing. Unset: start the embedded one
 * under the data dir. Either way, pending migrations are applied before anything else.
 */
export async function openDatabase(): Promise<OpenDatabase> {
  const config = env();
  let database: OpenDatabase;
  if (config.DATABASE_URL) {
    database = {
      url: config.DATABASE_URL,
      ownerUrl: config.ARCHIPELAGO_MIGRATION_DATABASE_URL ?? config.DATABASE_URL,
      embedded: false,
      close: async () => undefined,
    };
  } else {
    const embedded = await startEmbeddedPostgres({
      dataDir: dataDir(),
      port: config.ARCHIPELAGO_EMBEDDED_PG_PORT,
      database: "archipelago",
      log: (line) => logger.info(line),
    });
    logger.info({ port: config.ARCHIPELAGO_EMBEDDED_PG_PORT, dataDir: dataDir() }, "embedded Postgres started");
    // Migrations as the owner; the server itself as a role that owns nothing (app-role.ts).
    try {
      await migrateAndLog(embedded.url);
      await ensureAppRole(embedded.url, embedded.appRole);
    } catch (error) {
      await embedded.stop().catch(() => undefined);
      throw error;
    }
    return { url: embedded.appUrl, ownerUrl: embedded.url, embedded: true, close: embedded.stop };
  }
  try {
    await migrateAndLog(config.ARCHIPELAGO_MIGRATION_DATABASE_URL ?? database.url);
    const owner = config.ARCHIPELAGO_MIGRATION_DATABASE_URL;
    // The same role for both would have the owner demote itself: grants only for a distinct app role.
    if (owner && appRoleOf(owner).role !== appRoleOf(database.url).role)
      await ensureAppRole(owner, appRoleOf(database.url));
    await warnIfPrivileged(database.url);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  return database;
}

async function migrateAndLog(url: string): Promise<void> {
  const result = await migrate(url);
  for (const warning of result.warnings) logger.warn(warning);
  logger.info({ applied: result.applied, alreadyApplied: result.alreadyApplied.length }, "database migrated");
}

/** DATABASE_URL's user and password, for the owner to create or update that role. */
function appRoleOf(url: string): { role: string; password: string } {
  const parsed = new URL(url);
  return { role: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/** An app connected as a superuser or as the tables' owner can rewrite the audit log: say so. */
async function warnIfPrivileged(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ superuser: boolean; owner: boolean }>(
      `SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
              EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'audit_events' AND tableowner = current_user) AS owner`,
    );
    if (rows[0]?.superuser || rows[0]?.owner)
      logger.warn(
        { superuser: rows[0].superuser, ownsTables: rows[0].owner },
        "the app connects as a superuser or as the owner of its tables, which can rewrite the audit log; " +
          "set ARCHIPELAGO_MIGRATION_DATABASE_URL to the owner and DATABASE_URL to a role that owns nothing (README, Audit log)",
      );
  } finally {
    await client.end();
  }
}

/**
 * For command-line tools that read or maintain the database (audit:verify, keys:rotate);
 * they connect with `ownerUrl`. The embedded Postgres a running server already started is
 * used as it is (the server applied the migrations); otherwise as openDatabase.
 */
export async function openDatabaseForTool(): Promise<OpenDatabase> {
  const config = env();
  if (!config.DATABASE_URL) {
    const live = await liveEmbeddedUrl(dataDir(), "archipelago");
    if (live) return { url: live, ownerUrl: live, embedded: true, close: async () => undefined };
  }
  return openDatabase();
}
