import "server-only";
import type { TemplateRevision } from "@/lib/generated/prisma/client";
import type { AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { SecretParamMissingError } from "@/lib/server/secrets/sealed-params";
import {
  desiredObjects,
  refOf,
  renderTargetOf,
  revisionSourceOf,
  type ObjectRef,
} from "@/lib/server/templates/desired";
import type { Manifest } from "@/lib/server/templates/documents";
import type { ApplyOptions, ObjectOutcome, ReleaseExecutor } from "./executor";
import { paramsForRender, type RenderInputs } from "./secret-render";
import { SourceSecretError } from "./secret-source";
import { requireWriter } from "./writers";

/**
 * The one home of "render a release with its secrets, apply it to a cluster, write the
 * release's record there", used by a rollout's target (rollouts/apply-target.ts), its rollback
 * (rollouts/rollback-target.ts) and a heal (drift.ts). Every write checks first that its
 * caller holds the release on that cluster (writers.ts); the ApplyOptions of every write are
 * built in one function (applyOptionsFor).
 */

/** Who writes: the holder of the (release, cluster) in release_writers. */
export interface ReleaseWriterRef {
  releaseId: string;
  clusterId: string;
  holderId: string;
}

export type WritePurpose = "rollout" | "rollback" | "heal" | "drift-check";

export type Actor = NonNullable<ApplyOptions["actor"]>;

/**
 * Who writes for the release, beyond the transport: the author whose access decides a take-over
 * from another release and which owner names may be shown (access/ownership.ts), whether this
 * write may take objects over (only a rollout that asked to, never a heal or a drift check), and
 * the one deadline of the fan-out it belongs to.
 */
export interface WriteOptions {
  force: boolean;
  actor?: Actor;
  author: AccessProfile | null;
  takeOwnership?: boolean;
  signal?: AbortSignal;
}

/** The ApplyOptions of every apply of a release, in one place (a rollout's, a rollback's, a heal's, a drift check's dry run). */
export function applyOptionsFor(purpose: WritePurpose, releaseId: string, options: WriteOptions): ApplyOptions {
  const takeOwnership = (purpose === "rollout" || purpose === "rollback") && options.takeOwnership === true;
  return {
    dryRun: purpose === "drift-check",
    force: options.force,
    ...(options.actor ? { actor: options.actor } : {}),
    owner: { releaseId, takeOwnership, author: options.author },
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** Outcomes that mean an object was not written as asked. */
export const isProblem = (outcome: ObjectOutcome): boolean =>
  outcome.action === "conflict" ||
  outcome.action === "invalid" ||
  outcome.action === "forbidden" ||
  outcome.action === "error";

export type Rendered = { ok: true; inputs: RenderInputs; manifests: Manifest[]; refs: ObjectRef[] };
/** Why nothing can be written: a secret input that cannot be had, or a render that fails. Plain words, no value. */
export type NotRendered = { ok: false; reason: string; cause: "secret-input" | "render" };

/**
 * Renders a revision with its parameters for one cluster: secret values are opened (and
 * referenced Secrets read, for `reader`'s CURRENT access) here, and dropped with the result.
 */
export async function renderRelease(input: {
  release: { id: string; name: string };
  revision: Pick<TemplateRevision, "number" | "schema" | "body" | "overrides">;
  params: Record<string, unknown>;
  cluster: { id: string; name: string; labels: unknown; variables: unknown };
  reader: AccessProfile | null;
}): Promise<Rendered | NotRendered> {
  let inputs: RenderInputs;
  try {
    inputs = await paramsForRender(input.release.id, input.params, {
      schema: input.revision.schema,
      reader: input.reader,
    });
  } catch (error) {
    if (error instanceof SourceSecretError || error instanceof SecretParamMissingError)
      return { ok: false, cause: "secret-input", reason: error.message };
    throw error;
  }
  const desired = await desiredObjects(revisionSourceOf(input.revision), inputs.params, renderTargetOf(input.cluster), {
    id: input.release.id,
    name: input.release.name,
  });
  if (!desired.ok) return { ok: false, cause: "render", reason: desired.issues.map((i) => i.message).join("; ") };
  return { ok: true, inputs, manifests: desired.manifests, refs: desired.manifests.map(refOf) };
}

/** Applies rendered objects as the holder of the release on that cluster. */
export async function applyRelease(
  executor: ReleaseExecutor,
  writer: ReleaseWriterRef,
  manifests: Manifest[],
  purpose: Exclude<WritePurpose, "drift-check">,
  options: WriteOptions,
): Promise<ObjectOutcome[]> {
  await requireWriter(writer.releaseId, writer.clusterId, writer.holderId);
  return executor.apply(writer.clusterId, manifests, applyOptionsFor(purpose, writer.releaseId, options));
}

/** A dry run (drift check): writes nothing, so it needs no hold. */
export function dryRunRelease(
  executor: ReleaseExecutor,
  release: { releaseId: string; clusterId: string },
  manifests: Manifest[],
  options: Pick<WriteOptions, "author" | "signal">,
) {
  return executor.apply(
    release.clusterId,
    manifests,
    applyOptionsFor("drift-check", release.releaseId, { force: false, ...options }),
  );
}

/** Deletes objects the release no longer wants (only those that still carry its label), as the holder. */
export async function pruneRelease(
  executor: ReleaseExecutor,
  writer: ReleaseWriterRef,
  refs: ObjectRef[],
  actor?: Actor,
): Promise<ObjectOutcome[]> {
  if (!refs.length) return [];
  await requireWriter(writer.releaseId, writer.clusterId, writer.holderId);
  return executor.deleteOwned(writer.clusterId, refs, writer.releaseId, actor);
}

export interface ReleaseRecord {
  revisionId: string;
  revisionNumber: number;
  params: Record<string, unknown>;
  objects: ObjectRef[];
  sourceDigests: Record<string, string>;
}

/**
 * Writes what the release now has on the cluster: `create` makes the row where there was none
 * (a rollout's first apply there); without it, a missing row stays missing (a rollback of a
 * rollout that never got that far). A record written by a rollout or rollback is in sync as of now.
 */
export async function recordRelease(writer: ReleaseWriterRef, record: ReleaseRecord, options: { create: boolean }) {
  const now = new Date();
  const data = {
    revisionId: record.revisionId,
    revisionNumber: record.revisionNumber,
    params: record.params as object,
    objects: record.objects as unknown as object[],
    sourceDigests: record.sourceDigests,
    appliedAt: now,
    driftState: "in_sync" as const,
    driftCheckedAt: now,
    driftDetails: [],
  };
  if (options.create)
    await db().releaseCluster.upsert({
      where: { releaseId_clusterId: { releaseId: writer.releaseId, clusterId: writer.clusterId } },
      create: { releaseId: writer.releaseId, clusterId: writer.clusterId, ...data },
      update: data,
    });
  else
    await db().releaseCluster.updateMany({ where: { releaseId: writer.releaseId, clusterId: writer.clusterId }, data });
}

/** The release no longer has anything on the cluster (a rollback where there was no previous revision). */
export async function forgetRelease(writer: ReleaseWriterRef) {
  await db().releaseCluster.deleteMany({ where: { releaseId: writer.releaseId, clusterId: writer.clusterId } });
}

/** A heal keeps the record's revision; it notes the secret sources it copied, only while it still holds the cluster. */
export async function recordHealed(writer: ReleaseWriterRef, sourceDigests: Record<string, string>) {
  await db().$transaction(async (tx) => {
    await requireWriter(writer.releaseId, writer.clusterId, writer.holderId, tx);
    await tx.releaseCluster.updateMany({
      where: { releaseId: writer.releaseId, clusterId: writer.clusterId },
      data: { sourceDigests },
    });
  });
}
