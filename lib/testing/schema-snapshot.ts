import pg from "pg";

/**
 * The shape of a database as Prisma models it (tables, columns, indexes, constraints),
 * excluding Prisma's own bookkeeping table and objects Prisma does not model (triggers,
 * functions), which hand-written migration SQL may add.
 */
export async function schemaSnapshot(url: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query<{ line: string }>(`
      SELECT format('%s.%s %s nullable=%s default=%s', table_name, column_name, udt_name, is_nullable, coalesce(column_default, '')) AS line
      FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
      ORDER BY 1`);
    const indexes = await client.query<{ line: string }>(`
      SELECT indexdef AS line FROM pg_indexes
      WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`);
    const constraints = await client.query<{ line: string }>(`
      SELECT format('%s %s %s', rel.relname, con.conname, pg_get_constraintdef(con.oid)) AS line
      FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace ns ON ns.oid = rel.relnamespace
      WHERE ns.nspname = 'public' AND rel.relname <> '_prisma_migrations' ORDER BY 1`);
    const enums = await client.query<{ line: string }>(`
      SELECT format('%s: %s', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)) AS line
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace ns ON ns.oid = t.typnamespace
      WHERE ns.nspname = 'public' GROUP BY t.typname ORDER BY 1`);
    return {
      columns: columns.rows.map((row) => row.line),
      indexes: indexes.rows.map((row) => row.line),
      constraints: constraints.rows.map((row) => row.line),
      enums: enums.rows.map((row) => row.line),
    };
  } finally {
    await client.end();
  }
}
