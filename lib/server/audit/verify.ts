import "server-only";
import { db } from "@/lib/server/db/client";
import { auditHash, GENESIS_HASH, isKeyedHash, isLegacyHash, legacyAuditHash } from "./chain";
import { auditChainKey } from "./chain-key";

export interface VerifyReport {
  rows: number;
  headHash: string;
  problems: Array<{ id: string; problem: string }>;
  /** Set when an expected head was given: where that hash is in the chain, or null if nowhere. */
  expectedHead?: { found: false } | { found: true; rowsAfter: number };
}

/**
 * Walks the chain in id order: each row must name the previous row's hash and carry the
 * HMAC of its content under the audit chain key (a key sealed by the master key, so the
 * database alone cannot produce it). An edited row breaks its own hash; a removed row
 * breaks its successor's link; re-chaining from an edit needs the key. Rows written
 * before the chain was keyed keep their SHA-256 and are checked as such; they are
 * protected by the first keyed row, whose HMAC covers the last of them. An unkeyed row
 * after a keyed one is a forgery.
 *
 * Removing the newest rows leaves a shorter, valid chain: give `expectHead` (a head hash
 * exported earlier) to check that its row is still there.
 */
export async function verifyAuditChain(
  options: { batchSize?: number; expectHead?: string } = {},
): Promise<VerifyReport> {
  const batchSize = options.batchSize ?? 5000;
  const key = await auditChainKey();
  const problems: VerifyReport["problems"] = [];
  let previous = GENESIS_HASH;
  let rows = 0;
  let keyedSeen = false;
  let expectedAt: number | null = null;
  let cursor: bigint | undefined;
  for (;;) {
    const batch = await db().auditEvent.findMany({
      where: cursor === undefined ? undefined : { id: { gt: cursor } },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    if (batch.length === 0) break;
    for (const row of batch) {
      rows += 1;
      const id = row.id.toString();
      if (row.prevHash !== previous)
        problems.push({ id, problem: "does not link to the previous row (a row before it was removed or changed)" });
      const fields = { ...row, result: row.result };
      if (isKeyedHash(row.hash)) {
        keyedSeen = true;
        if (auditHash(row.prevHash, fields, key) !== row.hash)
          problems.push({
            id,
            problem:
              "content does not match its keyed hash (the row was edited or forged)" +
              (JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)).includes("\uFFFD")
                ? "; it holds U+FFFD, which versions before issue 20 stored in place of a lone surrogate they had hashed," +
                  " so a row written by such a version may be honest"
                : ""),
          });
      } else if (isLegacyHash(row.hash) && !keyedSeen) {
        if (legacyAuditHash(row.prevHash, fields) !== row.hash)
          problems.push({ id, problem: "content does not match its hash (the row was edited)" });
      } else {
        problems.push({
          id,
          problem: keyedSeen
            ? "an unkeyed row after keyed rows (written around the application)"
            : "its hash has an unknown form",
        });
      }
      if (options.expectHead && row.hash === options.expectHead) expectedAt = rows;
      previous = row.hash;
    }
    cursor = batch.at(-1)!.id;
  }
  const report: VerifyReport = { rows, headHash: previous, problems };
  if (options.expectHead)
    report.expectedHead = expectedAt === null ? { found: false } : { found: true, rowsAfter: rows - expectedAt };
  return report;
}
