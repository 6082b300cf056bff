import "server-only";
import { dataDir, env } from "@/lib/server/config/env";
import { startEmbeddedPostgres } from "@/lib/server/db/embedded";
import { migrate } from "@/lib/server/db/migrate";
import { logger } from "@/lib/server/log/logger";

export interface OpenDatabase {
  url: string;
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
    database = { url: config.DATABASE_URL, embedded: false, close: async () => undefined };
  } else {
    const embedded = await startEmbeddedPostgres({
      dataDir: dataDir(),
      port: config.ARCHIPELAGO_EMBEDDED_PG_PORT,
      database: "archipelago",
      log: (line) => logger.info(line),
    });
    logger.info({ port: config.ARCHIPELAGO_EMBEDDED_PG_PORT, dataDir: dataDir() }, "embedded Postgres started");
    database = { url: embedded.url, embedded: true, close: embedded.stop };
  }
  try {
    const result = await migrate(database.url);
    for (const warning of result.warnings) logger.warn(warning);
    logger.info({ applied: result.applied, alreadyApplied: result.alreadyApplied.length }, "database migrated");
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  return database;
}
