import "server-only";
import type { InventoryKind } from "@/lib/k8s/kinds";
import { db } from "@/lib/server/db/client";
import { nudgeCollectors } from "./supervisor";

/** What a reader knows of one (cluster, kind) collector: how current the index is for it. */
export interface CollectorFreshness {
  clusterId: string;
  kind: InventoryKind;
  state: "syncing" | "synced" | "failed";
  live: boolean;
  syncedAt: Date | null;
  listMs: number | null;
  lastEventAt: Date | null;
  staleSince: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
  retryAt: Date | null;
  /** A live instance holds the lease. */
  held: boolean;
}

const POLL_MS = 50;

/**
 * Never filled and nothing recorded against it yet: a first list is (or is about to be) under
 * way. Such a (cluster, kind) is worth waiting for; anything else answers at once from the index.
 */
export const isPending = (row: CollectorFreshness | undefined): boolean =>
  !row || (row.syncedAt === null && row.errorCode === null);

async function read(clusterIds: string[], kinds: InventoryKind[]): Promise<CollectorFreshness[]> {
  const rows = await db().inventoryCollector.findMany({
    where: { clusterId: { in: clusterIds }, kind: { in: kinds } },
  });
  const now = Date.now();
  return rows.map((row) => ({
    clusterId: row.clusterId,
    kind: row.kind as InventoryKind,
    state: row.state === "synced" || row.state === "failed" ? row.state : "syncing",
    live: row.live,
    syncedAt: row.syncedAt,
    listMs: row.listMs,
    lastEventAt: row.lastEventAt,
    staleSince: row.staleSince,
    errorCode: row.lastErrorCode,
    errorMessage: row.lastErrorMessage,
    retryAt: row.retryAt,
    held: row.holder !== null && row.leaseUntil !== null && row.leaseUntil.getTime() > now,
  }));
}

/**
 * The collectors' state for these clusters and kinds. The first answer after a start (or a new
 * cluster) waits, until `deadline`, for collectors still pending (see isPending), nudging this
 * process's supervisor to claim what nobody holds; then it answers with what it has.
 */
export async function awaitCollectors(
  clusterIds: string[],
  kinds: InventoryKind[],
  deadline: number,
): Promise<Map<string, CollectorFreshness>> {
  const keyOf = (clusterId: string, kind: string) => `${clusterId}/${kind}`;
  let nudged = false;
  for (;;) {
    const rows = clusterIds.length ? await read(clusterIds, kinds) : [];
    const byKey = new Map(rows.map((row) => [keyOf(row.clusterId, row.kind), row]));
    const waiting = clusterIds.flatMap((id) => kinds.map((kind) => byKey.get(keyOf(id, kind))));
    const pending = waiting.filter(isPending);
    if (pending.length === 0 || Date.now() >= deadline) return byKey;
    if (!nudged && waiting.some((row) => !row || !row.held)) {
      nudged = true;
      // Bounded by the deadline: a slow database must not hold the answer past it.
      await Promise.race([nudgeCollectors(), sleep(Math.max(0, deadline - Date.now()))]);
      continue;
    }
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
