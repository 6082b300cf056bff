import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { AuditPage, ListAuditQuery } from "@/lib/schemas/audit";
import { encodeCursor } from "@/lib/schemas/paging";
import { db } from "@/lib/server/db/client";
import { unfinishedStarts } from "./unfinished";

/** One page of the audit log, newest first (keyset on id), with the exact count of rows under the filters. */
export async function listAuditEvents(query: ListAuditQuery): Promise<AuditPage> {
  const where: Prisma.AuditEventWhereInput = {
    ...(query.user ? { actorEmail: { contains: query.user.toLowerCase() } } : {}),
    ...(query.action ? { action: { startsWith: query.action } } : {}),
    ...(query.cluster ? { targetCluster: query.cluster } : {}),
    result: query.result ?? { not: "started" },
    ...(query.from || query.to
      ? { at: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lte: query.to } : {}) } }
      : {}),
  };
  const { rows, total } = await db().$transaction(
    async (tx) => ({
      rows: await tx.auditEvent.findMany({
        where: { ...where, ...(query.cursor ? { id: { lt: BigInt(query.cursor.id) } } : {}) },
        orderBy: { id: "desc" },
        take: query.pageSize + 1,
      }),
      total: await tx.auditEvent.count({ where }),
    }),
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
  const page = rows.slice(0, query.pageSize);
  // Asked once per listing, on its first page: later pages ("Load more") show the same banner.
  const unfinished = query.cursor ? undefined : await unfinishedStarts({ limit: 5 });
  return {
    total,
    ...(unfinished && {
      unfinished: {
        total: unfinished.total,
        newest: unfinished.newest.map((start) => ({
          id: start.id,
          at: start.at.toISOString(),
          action: start.action,
          requestId: start.requestId,
        })),
      },
    }),
    events: page.map((row) => ({
      id: row.id.toString(),
      at: row.at.toISOString(),
      actorEmail: row.actorEmail,
      actorVia: row.actorVia,
      action: row.action,
      target: {
        cluster: row.targetCluster,
        namespace: row.targetNamespace,
        kind: row.targetKind,
        name: row.targetName,
      },
      result: row.result,
      httpStatus: row.httpStatus,
      requestId: row.requestId,
      clientIp: row.clientIp,
      details: row.details,
    })),
    nextCursor: rows.length > query.pageSize ? encodeCursor("audit", { id: page.at(-1)!.id.toString() }) : null,
  };
}
