import { forgetAuditChainKey } from "@/lib/server/audit/chain-key";
import { db } from "@/lib/server/db/client";
import { forgetSecretDigestKey } from "@/lib/server/secrets/digest-key";
import { forgetDeviceCookieKey } from "@/lib/server/auth/device-cookie";

/**
 * Empties every application table (not the migration history) between tests. The audit
 * log refuses TRUNCATE by trigger, so triggers are switched off for this one transaction
 * (tests run as the database superuser; the application never does this).
 */
export async function resetDatabase(): Promise<void> {
  const tables = await db().$queryRaw<Array<{ tablename: string }>>`
    SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;
  if (tables.length === 0) return;
  const list = tables.map(({ tablename }) => `"${tablename.replaceAll('"', '""')}"`).join(", ");
  await db().$transaction([
    db().$executeRawUnsafe("SET LOCAL session_replication_role = replica"),
    db().$executeRawUnsafe(`TRUNCATE ${list} RESTART IDENTITY CASCADE`),
  ]);
  // The sealed audit chain key went with the tables: the next audit row makes a new one.
  forgetAuditChainKey();
  forgetSecretDigestKey();
  forgetDeviceCookieKey();
}
