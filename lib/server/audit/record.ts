import "server-only";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { scrubSecrets } from "@/lib/server/log/scrub";
import { auditHash, GENESIS_HASH, type ChainedFields } from "./chain";

/** Serialises appends so every row chains to exactly one predecessor. */
const AUDIT_CHAIN_LOCK = 4_207_201;

export interface AuditActor {
  /** Null when the actor could not be identified (e.g. a failed sign-in). */
  userId: string | null;
  email: string;
  via: "session" | "token" | "system" | "password";
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
  result: "success" | "denied" | "failure";
  httpStatus?: number;
  requestId?: string;
  clientIp?: string | null;
  /** Structured context. Never a secret value or credential; strings are scrubbed anyway. */
  details?: Record<string, unknown>;
}

function scrubbed(value: unknown): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (Array.isArray(value)) return value.map(scrubbed);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbed(v)]));
  return value;
}

export async function recordAudit(entry: AuditEntry): Promise<void> {
  // Millisecond precision: the column is timestamptz(3), and the hash must survive a round trip.
  const at = new Date(Math.floor(Date.now()));
  const fields: ChainedFields = {
    at,
    actorUserId: entry.actor?.userId ?? null,
    actorEmail: entry.actor?.email ?? null,
    actorVia: entry.actor?.via ?? null,
    action: entry.action,
    targetCluster: entry.target?.cluster ?? null,
    targetNamespace: entry.target?.namespace ?? null,
    targetKind: entry.target?.kind ?? null,
    targetName: entry.target?.name ?? null,
    result: entry.result,
    httpStatus: entry.httpStatus ?? null,
    requestId: entry.requestId ?? null,
    clientIp: entry.clientIp ?? null,
    details: scrubbed(entry.details ?? {}),
  };
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
        hash: auditHash(prevHash, fields),
      },
    });
  });
}

/** For paths where a failed audit write must not hide the original outcome; the failure is logged. */
export async function recordAuditSafely(entry: AuditEntry): Promise<void> {
  try {
    await recordAudit(entry);
  } catch (error) {
    logger.error(
      { action: entry.action, requestId: entry.requestId, errorName: error instanceof Error ? error.name : "unknown" },
      "audit write failed",
    );
  }
}
