import "server-only";
import PgBoss from "pg-boss";
import pg from "pg";

/**
 * The role the application runs as, separate from the role that owns the schema.
 * Migrations run as the owner; the server connects as this role, which:
 * - is not a superuser and cannot create databases, roles or schemas;
 * - owns no application table, so it cannot disable the audit log's triggers, alter
 *   tables or truncate them;
 * - may read and write application tables, but on `audit_events` only SELECT and INSERT,
 *   on `sealed_keys` only SELECT and INSERT, and on `_prisma_migrations` only reading which
 *   migrations finished (for GET /readyz), not their checksums or logs;
 * - owns the job queue's schema (`pgboss`), which pg-boss manages itself.
 * Run after every migration, so new tables get the same grants. Idempotent.
 */

export const APP_ROLE = "archipelago_app";
export const QUEUE_SCHEMA = "pgboss";

export async function ensureAppRole(ownerUrl: string, input: { role: string; password: string }): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  const role = client.escapeIdentifier(input.role);
  const queue = client.escapeIdentifier(QUEUE_SCHEMA);
  try {
    const database = client.escapeIdentifier(
      (await client.query<{ db: string }>("SELECT current_database() AS db")).rows[0]!.db,
    );
    const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [input.role]);
    if (!exists.rowCount) await client.query(`CREATE ROLE ${role} LOGIN`);
    await client.query(
      `ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(input.password)}`,
    );
    await client.query(`REVOKE CREATE ON DATABASE ${database} FROM ${role}`);
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${role}`);
    await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    await client.query(`REVOKE ALL ON TABLE _prisma_migrations FROM ${role}`);
    await client.query(`GRANT SELECT (migration_name, finished_at, rolled_back_at) ON _prisma_migrations TO ${role}`);
    await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON TABLE audit_events FROM ${role}`);
    await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON TABLE sealed_keys FROM ${role}`);
    await installQueueSchema(client, { name: input.role, role, queue, database });
  } finally {
    await client.end();
  }
}

/**
 * pg-boss creates its schema on first start (`CREATE SCHEMA IF NOT EXISTS`), which needs
 * CREATE on the database. The owner installs it instead, acting as the app role so that
 * the app role owns it; an earlier install made by a superuser app is handed over.
 */
async function installQueueSchema(
  client: pg.Client,
  { name, role, queue, database }: { name: string; role: string; queue: string; database: string },
): Promise<void> {
  const installed = await client.query("SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'version'", [
    QUEUE_SCHEMA,
  ]);
  if (!installed.rowCount) {
    await client.query(`GRANT CREATE ON DATABASE ${database} TO ${role}`);
    try {
      await client.query(`SET ROLE ${role}`);
      await client.query(PgBoss.getConstructionPlans(QUEUE_SCHEMA));
    } finally {
      await client.query("RESET ROLE");
      await client.query(`REVOKE CREATE ON DATABASE ${database} FROM ${role}`);
    }
    return;
  }
  await client.query(`ALTER SCHEMA ${queue} OWNER TO ${role}`);
  const owned = await client.query<{ kind: string; name: string }>(
    `SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END AS kind,
            format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'S', 'v') AND pg_get_userbyid(c.relowner) <> $2
     UNION ALL
     SELECT 'TYPE', format('%I.%I', n.nspname, t.typname)
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 AND t.typtype = 'e' AND pg_get_userbyid(t.typowner) <> $2
     UNION ALL
     SELECT 'FUNCTION', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 AND pg_get_userbyid(p.proowner) <> $2`,
    [QUEUE_SCHEMA, name],
  );
  for (const { kind, name } of owned.rows) await client.query(`ALTER ${kind} ${name} OWNER TO ${role}`);
}
