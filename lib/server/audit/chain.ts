import "server-only";
import { createHash, createHmac } from "node:crypto";

/** The hash of the (imaginary) row before the first one. */
export const GENESIS_HASH = "0".repeat(64);

export interface ChainedFields {
  at: Date;
  actorUserId: string | null;
  actorEmail: string | null;
  actorVia: string | null;
  action: string;
  targetCluster: string | null;
  targetNamespace: string | null;
  targetKind: string | null;
  targetName: string | null;
  result: string;
  httpStatus: number | null;
  requestId: string | null;
  clientIp: string | null;
  details: unknown;
}

/** JSON with object keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${canonicalJson(v)}`).join(",")}}`;
}

/** Rows written before the chain was keyed: a bare SHA-256. Kept verifiable, never written again. */
const LEGACY_HASH = /^[0-9a-f]{64}$/;
/** Keyed rows: "v2:" and an HMAC-SHA256 under the audit chain key (chain-key.ts). */
const KEYED_PREFIX = "v2:";

export const isLegacyHash = (hash: string) => LEGACY_HASH.test(hash);
export const isKeyedHash = (hash: string) => hash.startsWith(KEYED_PREFIX);

function material(prevHash: string, fields: ChainedFields): string {
  return canonicalJson([
    prevHash,
    fields.at.toISOString(),
    fields.actorUserId,
    fields.actorEmail,
    fields.actorVia,
    fields.action,
    fields.targetCluster,
    fields.targetNamespace,
    fields.targetKind,
    fields.targetName,
    fields.result,
    fields.httpStatus,
    fields.requestId,
    fields.clientIp,
    fields.details,
  ]);
}

/**
 * Each row's hash covers the previous row's hash and every field of its own, keyed: an
 * HMAC under a key the database does not hold, so rows cannot be re-chained after an edit.
 */
export function auditHash(prevHash: string, fields: ChainedFields, key: Buffer): string {
  return `${KEYED_PREFIX}${createHmac("sha256", key).update(material(prevHash, fields)).digest("hex")}`;
}

/** The unkeyed hash of rows written before issue 12; only the verifier uses it. */
export function legacyAuditHash(prevHash: string, fields: ChainedFields): string {
  return createHash("sha256").update(material(prevHash, fields)).digest("hex");
}
