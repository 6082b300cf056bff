import "server-only";
import { db } from "@/lib/server/db/client";

/**
 * Longer than any request runs (previews and cluster calls are bounded well below it), so a
 * start that is this old and still has no outcome row lost it: the database failed between the
 * two writes, or the process died mid-request.
 */
export const UNFINISHED_AFTER_MS = 10 * 60 * 1000;

export interface UnfinishedStart {
  id: string;
  at: Date;
  action: string;
  actorEmail: string | null;
  requestId: string | null;
}

/**
 * Mutations whose `started` row has no outcome row (same request id, action and actor, written
 * after it). The actor is part of the match because a client may choose its request id: one
 * caller reusing an id can hide only its own starts, never someone else's. A start without an
 * actor (sign-in, setup: the outcome names who signed in) matches any outcome.
 */
export async function unfinishedStarts(
  options: { olderThanMs?: number; limit?: number } = {},
): Promise<{ total: number; newest: UnfinishedStart[] }> {
  const olderThan = new Date(Date.now() - (options.olderThanMs ?? UNFINISHED_AFTER_MS));
  const rows = await db().$queryRaw<
    Array<{
      id: bigint;
      at: Date;
      action: string;
      actor_email: string | null;
      request_id: string | null;
      total: bigint;
    }>
  >`
    SELECT s.id, s.at, s.action, s.actor_email, s.request_id, count(*) OVER () AS total
    FROM audit_events s
    WHERE s.result = 'started' AND s.at < ${olderThan}
      AND NOT EXISTS (
        SELECT 1 FROM audit_events o
        WHERE o.request_id = s.request_id AND o.id > s.id AND o.result <> 'started'
          AND o.action = s.action AND (s.actor_user_id IS NULL OR o.actor_user_id = s.actor_user_id)
      )
    ORDER BY s.id DESC
    LIMIT ${options.limit ?? 20}`;
  return {
    total: Number(rows[0]?.total ?? 0),
    newest: rows.map((row) => ({
      id: row.id.toString(),
      at: row.at,
      action: row.action,
      actorEmail: row.actor_email,
      requestId: row.request_id,
    })),
  };
}
