import "server-only";
import { randomUUID } from "node:crypto";
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
 * - a heal or drift check takes the clusters it works on for its duration; a manual one that
 *   finds any of them held is refused whole (409 naming the holder, nothing written), the
 *   scheduled round skips the held ones and reports them as held.
 *
 * Every taker first locks the release's row, so two takers of one release queue behind each
 * other and the check and the insert are one decision. Rollouts never expire (their targets are
 * bounded by the sweep); a heal or check whose process died is presumed gone after HOLD_MS.
 */

type Tx = Prisma.TransactionClient;

export type WriterKind = "rollout" | "heal" | "drift-check";

/** Longest a heal or drift check may hold a release's clusters (every cluster call is bounded far below this). */
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
      : `${what}: a ${holder.kind === "heal" ? "heal" : "drift check"} (${holder.label}) is working on this release; try again when it is done`,
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
      AND r.state IN ('succeeded', 'failed', 'aborted', 'rolled_back')
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
    WHERE w.kind = 'rollout' AND r.state IN ('succeeded', 'failed', 'aborted', 'rolled_back')`;
  for (const row of ended) await letGoOfRollout(db(), row.holder_id);
}

export interface OperationHold {
  holderId: string;
  /** The clusters this operation holds (all asked for, unless `skipHeld`). */
  clusterIds: Set<string>;
  /** The clusters someone else holds, with who (only with `skipHeld`). */
  skipped: Map<string, Holder>;
  release(): Promise<void>;
}

/**
 * A heal or drift check takes the clusters it will work on. Manual (skipHeld false): all or
 * nothing, a 409 naming the holder otherwise. Scheduled (skipHeld true): the free ones; the
 * held ones are handed back so the caller can report them.
 */
export async function holdForOperation(input: {
  releaseId: string;
  clusterIds: string[];
  kind: "heal" | "drift-check";
  label: string;
  skipHeld: boolean;
}): Promise<OperationHold> {
  const holderId = randomUUID();
  const skipped = new Map<string, Holder>();
  const taken = await db().$transaction(async (tx) => {
    await lockRelease(tx, input.releaseId);
    const held = await tx.releaseWriter.findMany({
      where: { releaseId: input.releaseId, clusterId: { in: input.clusterIds } },
    });
    if (held.length && !input.skipHeld)
      throw heldBy(
        held[0] as Holder,
        input.kind === "heal" ? "This release cannot be healed now" : "Drift cannot be checked now",
      );
    for (const row of held) skipped.set(row.clusterId, row as Holder);
    const free = input.clusterIds.filter((id) => !skipped.has(id));
    await tx.releaseWriter.createMany({
      data: free.map((clusterId) => ({
        releaseId: input.releaseId,
        clusterId,
        kind: input.kind,
        holderId,
        label: input.label,
        expiresAt: new Date(Date.now() + HOLD_MS),
      })),
    });
    return new Set(free);
  });
  return {
    holderId,
    clusterIds: taken,
    skipped,
    release: async () => {
      await db().releaseWriter.deleteMany({ where: { holderId } });
    },
  };
}

/** Thrown when a write is attempted without holding the (release, cluster): a bug, never a user's mistake. */
export class NotTheWriterError extends Error {
  override name = "NotTheWriterError";
}

/**
 * The check every cluster write of a release makes first (writes-release.ts): this holder still
 * holds the cluster. Cheap (one primary-key read) and the last line of defence for the rule above.
 */
export async function requireWriter(releaseId: string, clusterId: string, holderId: string): Promise<void> {
  const row = await db().releaseWriter.findUnique({
    where: { releaseId_clusterId: { releaseId, clusterId } },
    select: { holderId: true },
  });
  if (row?.holderId !== holderId)
    throw new NotTheWriterError(`release ${releaseId} on cluster ${clusterId} is not held by ${holderId}`);
}
