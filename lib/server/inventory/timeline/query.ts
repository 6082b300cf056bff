import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { z } from "zod";
import { CHANGE_TYPES, type ChangeEntryView, type ChangesPage, type ListChangesQuery } from "@/lib/schemas/timeline";
import { encodeCursor } from "@/lib/schemas/paging";
import type { AccessProfile } from "@/lib/server/access/policy";
import { globToLike, indexedObjectVisibleSql } from "@/lib/server/access/visibility-sql";
import { keysetPage } from "@/lib/server/db/keyset-page";
import { projectionDiff } from "./diff";

/** The query admits known types only (see below), so this parse cannot fail; it keeps the column untrusted. */
const changeTypeSchema = z.enum(CHANGE_TYPES);

interface ChangeRow {
  id: bigint;
  at: Date;
  change: string;
  cluster_id: string;
  cluster_name: string;
  kind: string;
  namespace: string;
  name: string;
  resource_version: bigint;
  health_before: string | null;
  health_after: string | null;
  before: unknown;
  after: unknown;
}

/**
 * One page of the change timeline, newest first (keyset on `at desc, id desc`), with the exact
 * count of entries under the same filters. The caller's grants are part of the statement
 * (`indexedObjectVisibleSql`), so an entry the caller may not see is neither listed nor counted,
 * and a cluster it may not see is never named (a filter naming one matches nothing, exactly like
 * an unknown name). Entries of a cluster that is no longer registered are left out (the join).
 */
export async function listChanges(profile: AccessProfile, query: ListChangesQuery): Promise<ChangesPage> {
  const conditions: Prisma.Sql[] = [
    Prisma.sql`ch.at >= ${query.from}`,
    Prisma.sql`ch.at <= ${query.to}`,
    indexedObjectVisibleSql(profile, "ch"),
  ];
  if (query.clusters?.length)
    conditions.push(
      Prisma.sql`(ch.cluster_id::text = ANY(${query.clusters}::text[]) OR cl.name = ANY(${query.clusters}::text[]))`,
    );
  if (query.kind) conditions.push(Prisma.sql`ch.kind = ${query.kind}`);
  if (query.namespace) conditions.push(Prisma.sql`ch.namespace LIKE ${globToLike(query.namespace)}`);
  // strpos, not LIKE: a search for "a_b" or "50%" means those characters, with nothing to escape.
  if (query.q) conditions.push(Prisma.sql`strpos(ch.name, ${query.q}) > 0`);
  // Always a known type: a row a future writer labels otherwise is left out, not shown mislabelled.
  conditions.push(Prisma.sql`ch.change = ANY(${query.change?.length ? query.change : [...CHANGE_TYPES]}::text[])`);
  const filtered = Prisma.join(conditions, " AND ");
  // `at <= cursor` besides the row comparison: the planner bounds an index scan on `at` (or on
  // `cluster_id, at`) with it, so a deep page starts at its key instead of filtering past newer rows.
  const cursorAt = query.cursor ? new Date(query.cursor.at) : null;
  const after =
    query.cursor && cursorAt
      ? Prisma.sql`AND ch.at <= ${cursorAt}::timestamptz AND (ch.at, ch.id) < (${cursorAt}::timestamptz, ${query.cursor.id}::bigint)`
      : Prisma.empty;

  // The page's rows are read whole with the keys (a row is a small projection pair): one
  // statement instead of keys now and rows after.
  const { keys: rows, total } = await keysetPage<ChangeRow>(
    Prisma.sql`
      SELECT ch.id, ch.at, ch.change, ch.cluster_id::text AS cluster_id, cl.name AS cluster_name, ch.kind,
             ch.namespace, ch.name, ch.resource_version, ch.health_before, ch.health_after, ch.before, ch.after
      FROM inventory_changes ch JOIN clusters cl ON cl.id = ch.cluster_id
      WHERE ${filtered} ${after}
      ORDER BY ch.at DESC, ch.id DESC
      LIMIT ${query.pageSize + 1}`,
    Prisma.sql`
      SELECT count(*)::int AS total
      FROM inventory_changes ch JOIN clusters cl ON cl.id = ch.cluster_id
      WHERE ${filtered}`,
  );
  const page = rows.slice(0, query.pageSize);
  const last = page.at(-1);
  return {
    changes: page.map(toView),
    total,
    nextCursor:
      rows.length > query.pageSize && last
        ? encodeCursor("changes", { at: last.at.toISOString(), id: last.id.toString() })
        : null,
    range: { from: query.from.toISOString(), to: query.to.toISOString() },
  };
}

function toView(row: ChangeRow): ChangeEntryView {
  const { diff, unreadable } = projectionDiff(row.before, row.after);
  return {
    id: row.id.toString(),
    at: row.at.toISOString(),
    change: changeTypeSchema.parse(row.change),
    cluster: { id: row.cluster_id, name: row.cluster_name },
    kind: row.kind,
    namespace: row.namespace,
    name: row.name,
    resourceVersion: row.resource_version.toString(),
    health: { before: row.health_before, after: row.health_after },
    diff,
    ...(unreadable.length ? { unreadable } : {}),
  };
}
