import "server-only";
import { db } from "@/lib/server/db/client";
import { auditHash, GENESIS_HASH } from "./chain";

export interface VerifyReport {
  rows: number;
  headHash: string;
  problems: Array<{ id: string; problem: string }>;
}

/**
 * Walks the chain in id order: each row must name the previous row's hash and hash to its
 * own. An edited row breaks its own hash; a removed row breaks its successor's link.
 * (Removing the newest rows leaves a shorter, valid chain: compare headHash with a
 * previously recorded one to catch that.)
 */
export async function verifyAuditChain(batchSize = 5000): Promise<VerifyReport> {
  const problems: VerifyReport["problems"] = [];
  let previous = GENESIS_HASH;
  let rows = 0;
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
      if (row.prevHash !== previous) {
        problems.push({
          id: row.id.toString(),
          problem: "does not link to the previous row (a row before it was removed or changed)",
        });
      }
      const expected = auditHash(row.prevHash, { ...row, result: row.result });
      if (expected !== row.hash)
        problems.push({ id: row.id.toString(), problem: "content does not match its hash (the row was edited)" });
      previous = row.hash;
    }
    cursor = batch.at(-1)!.id;
  }
  return { rows, headHash: previous, problems };
}
