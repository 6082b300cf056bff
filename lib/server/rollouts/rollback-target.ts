import "server-only";
import { db } from "@/lib/server/db/client";
import { parseColumn, previousStateSchema, targetObjectsSchema } from "@/lib/server/releases/columns";
import type { ReleaseExecutor } from "@/lib/server/releases/executor";
import { INTERNAL_ERROR } from "@/lib/server/releases/failure";
import { ownerText } from "@/lib/server/releases/owner-words";
import {
  applyRelease,
  forgetRelease,
  isProblem,
  pruneRelease,
  recordRelease,
  renderRelease,
} from "@/lib/server/releases/release-write";
import { refKey, type ObjectRef } from "@/lib/server/templates/desired";
import { advance } from "./advance";
import {
  claimRollback,
  forQueue,
  handBack,
  hasStep,
  loadContext,
  LostClaimError,
  MAX_TARGET_ATTEMPTS,
  recordAttemptFailure,
  recordTargetStep,
} from "./target-steps";

/**
 * Puts a cluster back as the release had it before this rollout: the previous revision is
 * applied again and objects the failed revision added are deleted (only ours); with no
 * previous revision, everything this rollout created there is removed. Objects this rollout
 * took over are never deleted (the notes say so). Its attempts are its
 * own (a target that needed several tries to apply still gets every rollback try).
 */
export async function rollbackTarget(targetId: string, executor: ReleaseExecutor): Promise<void> {
  if (!(await claimRollback(targetId))) return;
  const context = await loadContext(targetId);
  if (!context) return;
  const { target, rollout, cluster, actor, author, writer } = context;
  const endRollback = async (state: "rolled_back" | "failed", notes: string[], toRevision: number | null) => {
    await recordTargetStep(
      targetId,
      {
        state,
        claimedBy: null,
        error:
          [target.error, notes.length ? `rollback notes: ${notes.join("; ")}` : null].filter(Boolean).join(" · ") ||
          null,
      },
      rollout.id,
      state === "rolled_back" ? "target.rolled-back" : "target.rollback-failed",
      { toRevision },
    );
    await advance(rollout.id);
  };
  if (!cluster) return await endRollback("failed", ["the cluster was deleted; nothing could be rolled back"], null);
  // A target that failed before applying anything changed nothing: the release's record of this cluster stays.
  if (!(await hasStep(targetId, "target.applied")))
    return await endRollback("rolled_back", ["nothing was applied here, so nothing was rolled back"], null);
  try {
    if (!author.ok) return await endRollback("failed", [`not rolled back: ${author.reason}`], null);
    const previous = parseColumn(previousStateSchema, target.previous, "previous state");
    const written = parseColumn(targetObjectsSchema, target.objects, "target objects").filter(
      (o) => o.action !== "deleted",
    );
    // What this rollout took over (from another release, or from outside Archipelago) now carries
    // this release's label, but was never this release's to create: a rollback leaves it in place.
    const takenOver = written.filter((o) => o.tookOver);
    const failedRefs = written
      .filter((o) => !o.tookOver)
      .map(({ apiVersion, kind, namespace, name }): ObjectRef => ({ apiVersion, kind, namespace, name }));
    const leftInPlace = takenOver.map(
      (o) =>
        `${o.kind} ${o.name}: taken over from ${o.owner ? ownerText(o.owner) : "its owner"} by this rollout; left in place, not deleted`,
    );
    let notes: string[] = [];
    if (previous) {
      const revision = await db().templateRevision.findUniqueOrThrow({ where: { id: previous.revisionId } });
      const rendered = await renderRelease({
        release: rollout.release,
        revision,
        params: previous.params,
        cluster,
        reader: author.profile,
      });
      if (!rendered.ok)
        return await endRollback(
          "failed",
          [rendered.cause === "render" ? "the previous revision no longer renders" : rendered.reason],
          null,
        );
      const outcomes = await applyRelease(executor, writer, rendered.manifests, "rollback", {
        force: true,
        actor,
        author: author.profile,
        takeOwnership: rollout.takeOwnership,
      });
      notes = outcomes
        .filter((o) => o.error || isProblem(o))
        .map((o) => rendered.inputs.scrub(`${o.ref.kind} ${o.ref.name}: ${o.error ?? o.action}`));
      // An object the cluster refused was not put back: the cluster is not at the previous
      // revision, so the rollback failed (with the reasons), and the record is left as it is.
      if (outcomes.some(isProblem)) return await endRollback("failed", notes, null);
      const keep = new Set(rendered.refs.map(refKey));
      await pruneRelease(
        executor,
        writer,
        failedRefs.filter((ref) => !keep.has(refKey(ref))),
        actor,
      );
      // Without create: the release may have no row here (the failed rollout never got that far).
      await recordRelease(
        writer,
        {
          revisionId: previous.revisionId,
          revisionNumber: previous.revisionNumber,
          params: previous.params,
          objects: previous.objects,
          sourceDigests: rendered.inputs.sourceDigests,
        },
        { create: false },
      );
    } else {
      const outcomes = await pruneRelease(executor, writer, failedRefs, actor);
      notes = outcomes.filter((o) => o.action === "error").map((o) => `${o.ref.kind} ${o.ref.name}: ${o.error}`);
      if (notes.length) return await endRollback("failed", notes, null);
      await forgetRelease(writer);
    }
    await endRollback("rolled_back", [...leftInPlace, ...notes], previous?.revisionNumber ?? null);
  } catch (error) {
    if (error instanceof LostClaimError) return;
    const { failure, attempts } = await recordAttemptFailure(rollout.id, targetId, "rollback", error);
    if (failure.cause !== "cluster" || attempts >= MAX_TARGET_ATTEMPTS)
      return await endRollback(
        "failed",
        [
          failure.cause === "internal"
            ? `gave up: ${INTERNAL_ERROR} (${failure.errorName})`
            : `gave up after ${attempts} attempts: ${failure.message}`,
        ],
        null,
      );
    await handBack(targetId, "rolling_back");
    throw forQueue(failure);
  }
}
