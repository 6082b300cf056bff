import "server-only";
import { db } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/errors/app-error";
import { logger } from "@/lib/server/log/logger";
import { auditHash, GENESIS_HASH, type ChainedFields } from "./chain";
import { auditChainKey } from "./chain-key";
import { storedDetails, storedText, storedTextOrNull, storedUuidOrNull } from "./stored-form";

/** Serialises appends so every row chains to exactly one predecessor. */
const AUDIT_CHAIN_LOCK = 4_207_201;

export interface AuditActor {
  /** Null when the actor could not be identified (e.g. a failed sign-in). */
  userId: string | null;
  email: string;
  via: "session" | "token" | "system" | "password" | "sso";
}

export interface AuditTarget {
  cluster?: string | null;
  namespace?: string | null;
  kind?: string | null;
  name?: string | null;
}

export interface AuditEntry {
  actor: AuditActor | null;
  action: string;
  target?: AuditTarget;
  result: "success" | "denied" | "failure" | "started";
  httpStatus?: number;
  requestId?: string;
  clientIp?: string | null;
  /** Structured context. Never a secret value or credential; strings are scrubbed anyway. */
  details?: Record<string, unknown>;
}

export async function recordAudit(entry: AuditEntry): Promise<void> {
  // Millisecond precision: the column is timestamptz(3), and the hash must survive a round trip.
  const at = new Date(Math.floor(Date.now()));
  const fields: ChainedFields = {
    at,
    // Every value as Postgres will return it (stored-form.ts), so the hash is of what is read back.
    actorUserId: storedUuidOrNull(entry.actor?.userId),
    actorEmail: storedTextOrNull(entry.actor?.email),
    actorVia: entry.actor?.via ?? null,
    action: storedText(entry.action),
    targetCluster: storedTextOrNull(entry.target?.cluster),
    targetNamespace: storedTextOrNull(entry.target?.namespace),
    targetKind: storedTextOrNull(entry.target?.kind),
    targetName: storedTextOrNull(entry.target?.name),
    result: entry.result,
    httpStatus: entry.httpStatus ?? null,
    requestId: storedTextOrNull(entry.requestId),
    clientIp: storedTextOrNull(entry.clientIp),
    details: storedDetails(entry.details ?? {}),
  };
  const key = await auditChainKey();
  await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
    const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
    const prevHash = last?.hash ?? GENESIS_HASH;
    await tx.auditEvent.create({
      data: {
        ...fields,
        details: fields.details as object,
        result: entry.result,
        prevHash,
        hash: auditHash(prevHash, fields, key),
      },
    });
  });
}

/**
 * Where the outcome row of a mutation is written after it ran, the mutation could already
 * have changed a cluster or a row when that write fails: a cluster change cannot be taken
 * back, and a database transaction spanning a handler (cluster calls, queue inserts on other
 * connections, minutes of health gates) is neither possible nor wise. So, like the
 * Kubernetes audit log's RequestReceived stage, every mutation first appends a `started`
 * row, and does not run if that write fails: no action is ever missing from the trail. The
 * outcome row follows with the same request id; a start without an outcome (the database
 * failed in between) is reported by the audit page and `npm run audit:verify`.
 */
export async function recordAuditStart(entry: {
  actor: AuditActor | null;
  action: string;
  requestId: string;
  clientIp: string | null;
  /** The request path (ids only, never a query string or a body). */
  path: string;
}): Promise<void> {
  try {
    await recordAudit({
      actor: entry.actor,
      action: entry.action,
      result: "started",
      requestId: entry.requestId,
      clientIp: entry.clientIp,
      details: { path: entry.path },
    });
  } catch (error) {
    logger.error(
      { action: entry.action, requestId: entry.requestId, errorName: error instanceof Error ? error.name : "unknown" },
      "the audit log cannot be written; the mutation is refused",
    );
    throw new AppError(503, "audit_unavailable", "The audit log cannot be written now, so nothing was changed");
  }
}
