import "server-only";
import { db } from "@/lib/server/db/client";
import { defaultMigrationsDir, readMigrations } from "@/lib/server/db/migrate";
import { logger } from "@/lib/server/log/logger";

/**
 * Ready for traffic: the database answers within READY_TIMEOUT_MS and every migration shipped
 * with this build (prisma/migrations) is recorded as finished in `_prisma_migrations`. The
 * app role may read only the names and finish times there (lib/server/db/app-role.ts). A
 * migration applied but not shipped (a newer version ran first) does not make us unready:
 * migrations add, so the older code still runs on the newer schema during a rolling update.
 * The reason says what is wrong without names, versions or addresses.
 */

export const READY_TIMEOUT_MS = 2000;

export type Readiness = { ready: true } | { ready: false; reason: string };

let shipped: string[] | undefined;
async function shippedMigrations(): Promise<string[]> {
  shipped ??= (await readMigrations(defaultMigrationsDir())).map((migration) => migration.name);
  return shipped;
}

export async function checkReadiness(timeoutMs: number = READY_TIMEOUT_MS): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  let expected: string[];
  try {
    expected = await shippedMigrations();
  } catch {
    return { ready: false, reason: "the migration files shipped with this version cannot be read" };
  }
  try {
    const applied = await Promise.race([appliedMigrations(), timeout]);
    if (applied === "timeout") return { ready: false, reason: `database did not answer within ${timeoutMs} ms` };
    const missing = expected.filter((name) => !applied.has(name));
    if (missing.length > 0)
      return { ready: false, reason: `${missing.length} migration(s) not applied; run the database migration step` };
    return { ready: true };
  } catch (error) {
    logger.warn({ errorName: error instanceof Error ? error.name : "unknown" }, "readiness check: database error");
    return { ready: false, reason: "database unreachable or refusing the check" };
  } finally {
    clearTimeout(timer);
  }
}

async function appliedMigrations(): Promise<Set<string>> {
  const rows = await db().$queryRaw<Array<{ migration_name: string }>>`
    SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
  return new Set(rows.map((row) => row.migration_name));
}
