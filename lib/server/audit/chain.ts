import "server-only";
import { createHash } from "node:crypto";

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

/** Each row's hash covers the previous row's hash and every field of its own. */
export function auditHash(prevHash: string, fields: ChainedFields): string {
  const material = canonicalJson([
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
  return createHash("sha256").update(material).digest("hex");
}
