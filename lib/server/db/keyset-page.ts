import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "./client";

/**
 * One page of keys and the exact total, read in one repeatable-read transaction so they
 * agree. The caller gives both queries (visibility, keyset condition, order, `LIMIT size + 1`)
 * and then loads only the page's rows, outside the transaction.
 */
export async function keysetPage<K>(
  keysQuery: Prisma.Sql,
  totalQuery: Prisma.Sql,
): Promise<{ keys: K[]; total: number }> {
  return db().$transaction(
    async (tx) => {
      const keys = await tx.$queryRaw<K[]>(keysQuery);
      const [{ total }] = await tx.$queryRaw<[{ total: number }]>(totalQuery);
      return { keys, total };
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
}
