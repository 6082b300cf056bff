import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/server/db/client";
import { conflict } from "@/lib/server/errors/app-error";

/**
 * One writer per release and cluster, decided here and only here, in Postgres (table
 * release_writers, primary key (release, cluster)), so every app instance obeys it:
 *
 * - a rollout takes every cluster it targets when it starts (in the transaction that writes it)
 *   and holds them until it has ended and so has its target on that cluster: its applies,
 *   prunes and automatic rollbacks run under that hold; a second rollout of the same release
 *   is refused while one is in flight (a rollback of a release is a rollout too);
 * - a drift check takes nothing (it only reads: a dry run); a heal takes each cluster it heals
 *   just before writing there, and lets go when that write is recorded. A manual check or heal
 *   while a rollout holds the release is refused whole (409 naming it, nothing written); the
 *   scheduled round leaves held clusters alone and records them as held ("rollout in flight").
 *
 * Every taker first locks the release's row, so two takers of one release queue behind each
 * other and the check and the insert are one decision. Rollouts never expire (their targets are
 * bounded by the sweep); a heal whose process died is presumed gone after HOLD_MS.
 */

type Tx = Prisma.TransactionClient;

export type WriterKind = "rollout" | "heal";

/** Longest a heal may hold a cluster without renewing its hold (taken or renewed as each cluster's write starts). */
const HOLD_MS = 10 * 60_000;

export interface Holder {
  kind: WriterKind;
  holderId: string;
  label: string;
}

/** The 409 that names what holds the release. */
export function heldBy(holder: Pick<Holder, "kind" | "label">, what: string) {
  return conflict(
    holder.kind === "rollout"
      ? `${what}: ${holder.label} is in flight on this release; wait for it to finish, or abort it`
      : `${what}: a heal (${holder.label}) is writing to this release; try again when it is done`,
  );
}

async function lockRelease(tx: Tx, releaseId: string) {
  await tx.$queryRaw`SELECT id FROM releases WHERE id = ${releaseId}::uuid FOR UPDATE`;
  // A heal or check that died holding clusters lets go of them here, once its time is up.
  await tx.releaseWriter.deleteMany({ where: { releaseId, expiresAt: { lt: new Date() } } });
}

/**
 * A rollout takes its clusters, inside the transaction that writes it: refused with a 409 naming
 * the holder when another rollout of the release is in flight, or when a heal or check holds
 * one of its clusters. The release row must exist (created earlier in the same transaction).
 */
export async function holdForRollout(
  tx: Tx,
  input: { releaseId: string; rolloutId: string; clusterIds: string[]; label: string },
): Promise<void> {
  await lockRelease(tx, input.releaseId);
  const held = await tx.releaseWriter.findMany({ where: { releaseId: input.releaseId } });
  const rollout = held.find((row) => row.kind === "rollout");
  if (rollout) throw heldBy(rollout as Holder, "Another rollout of this release cannot start");
  const targets = new Set(input.clusterIds);
  const busy = held.find((row) => targets.has(row.clusterId));
  if (busy) throw heldBy(busy as Holder, "This rollout cannot start");
  await tx.releaseWriter.createMany({
    data: input.clusterIds.map((clusterId) => ({
      releaseId: input.releaseId,
      clusterId,
      kind: "rollout",
      holderId: input.rolloutId,
      label: input.label,
    })),
  });
}

/**
 * Lets go of the clusters of a rollout that has ended, each once its target there has ended too
 * (after an abort, a worker may still be finishing an apply on one cluster: that one stays held).
 * Safe to call any number of times.
 */
export async function letGoOfRollout(tx: Tx | ReturnType<typeof db>, rolloutId: string): Promise<number> {
  return tx.$executeRaw`
    DELETE FROM release_writers w
    USING rollouts r
    WHERE w.holder_id = ${rolloutId}::uuid AND r.id = w.holder_id
      AND r.state IN ('succeeded', 'failed', 'aborted', 'rolled_back', 'rejected')
      AND NOT EXISTS (
        SELECT 1 FROM rollout_targets t
        WHERE t.rollout_id = r.id AND t.cluster_id = w.cluster_id
          AND (t.state NOT IN ('succeeded', 'failed', 'rolled_back', 'skipped') OR t.claimed_by IS NOT NULL)
      )`;
}

/** The sweep's net: rollouts that ended but still hold a cluster (a late worker finished since) let go. */
export async function letGoOfEndedRollouts(): Promise<void> {
  const ended = await db().$queryRaw<Array<{ holder_id: string }>>`
    SELECT DISTINCT w.holder_id FROM release_writers w JOIN rollouts r ON r.id = w.holder_id
    WHERE w.kind = 'rollout' AND r.state IN ('succeeded', 'failed', 'aborted', 'rolled_back', 'rejected')`;
  for (const row of ended) await letGoOfRollout(db(), row.holder_id);
}

/**
 * Who holds which of the release's clusters now (a heal whose time is up is left out). A drift
 * check reads this and takes nothing: a read-only check never stands in anyone's way.
 */
export async function holdersOf(releaseId: string): Promise<Map<string, Holder>> {
  const rows = await db().releaseWriter.findMany({
    where: { releaseId, OR: [{ expiresAt: null }, { expiresAt: { gte: new Date() } }] },
  });
  return new Map(rows.map((row) => [row.clusterId, row as Holder]));
}

/**
 * A heal takes (or renews, pushing its expiry HOLD_MS out) one cluster just before it writes
 * there, so the hold covers the write from its start and nothing is held while the heal only
 * reads. Refused when someone else holds the cluster (answers who), or when the release's record
 * there changed since the heal read it (`appliedAt`: a rollout wrote meanwhile; the heal's render
 * is stale and must not be written).
 */
export async function holdForHeal(input: {
  releaseId: string;
  clusterId: string;
  holderId: string;
  label: string;
  appliedAt: Date;
}): Promise<{ ok: true } | { ok: false; holder: Holder | null }> {
  return db().$transaction(async (tx) => {
    await lockRelease(tx, input.releaseId);
    const key = { releaseId_clusterId: { releaseId: input.releaseId, clusterId: input.clusterId } };
    const row = await tx.releaseWriter.findUnique({ where: key });
    if (row && row.holderId !== input.holderId) return { ok: false as const, holder: row as Holder };
    const entry = await tx.releaseCluster.findUnique({ where: key, select: { appliedAt: true } });
    if (entry?.appliedAt.getTime() !== input.appliedAt.getTime()) return { ok: false as const, holder: null };
    const expiresAt = new Date(Date.now() + HOLD_MS);
    if (row) await tx.releaseWriter.update({ where: key, data: { expiresAt } });
    else
      await tx.releaseWriter.create({
        data: {
          releaseId: input.releaseId,
          clusterId: input.clusterId,
          kind: "heal",
          holderId: input.holderId,
          label: input.label,
          expiresAt,
        },
      });
    return { ok: true as const };
  });
}

/** A heal lets go of a cluster (or, without one, of every cluster it holds). */
export async function letGoOfHeal(holderId: string, clusterId?: string): Promise<void> {
  await db().releaseWriter.deleteMany({ where: { holderId, ...(clusterId ? { clusterId } : {}) } });
}

/** Thrown when a write is attempted without holding the (release, cluster): a bug, never a user's mistake. */
export class NotTheWriterError extends Error {
  override name = "NotTheWriterError";
}

/**
 * The check every cluster write of a release makes first (writes-release.ts): this holder still
 * holds the cluster. Cheap (one primary-key read) and the last line of defence for the rule above.
 */
export async function requireWriter(releaseId: string, clusterId: string, holderId: string, tx?: Tx): Promise<void> {
  // Inside a transaction the row is share-locked: no one can let it expire or take it over
  // until the caller's write (in that transaction) is done.
  const rows = await (tx ?? db()).$queryRaw<Array<{ holder_id: string }>>`
    SELECT holder_id::text FROM release_writers
    WHERE release_id = ${releaseId}::uuid AND cluster_id = ${clusterId}::uuid
      AND (expires_at IS NULL OR expires_at >= now())
    FOR SHARE`;
  if (rows[0]?.holder_id !== holderId)
    throw new NotTheWriterError(`release ${releaseId} on cluster ${clusterId} is not held by ${holderId}`);
}
