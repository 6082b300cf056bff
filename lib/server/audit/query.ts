import "server-only";
import type { AuditEventView, ListAuditQuery } from "@/lib/schemas/audit";
import { db } from "@/lib/server/db/client";

export async function listAuditEvents(
  query: ListAuditQuery,
): Promise<{ events: AuditEventView[]; nextBefore: string | null }> {
  const rows = await db().auditEvent.findMany({
    where: {
      ...(query.user ? { actorEmail: { contains: query.user.toLowerCase() } } : {}),
      ...(query.action ? { action: { startsWith: query.action } } : {}),
      ...(query.cluster ? { targetCluster: query.cluster } : {}),
      ...(query.result ? { result: query.result } : {}),
      ...(query.from || query.to
        ? { at: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lte: query.to } : {}) } }
        : {}),
      ...(query.before ? { id: { lt: BigInt(query.before) } } : {}),
    },
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  return {
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
    nextBefore: rows.length > query.limit ? page.at(-1)!.id.toString() : null,
  };
}
