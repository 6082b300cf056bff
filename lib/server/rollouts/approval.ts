import "server-only";
import { z } from "zod";
import { Prisma } from "@/lib/generated/prisma/client";
import type { RolloutApprovalView } from "@/lib/api/approval-types";
import type { ClusterPreview } from "@/lib/api/rollout-types";
import type { ApprovalDecisionBody } from "@/lib/schemas/change-control";
import { approvalProgress, approverStanding, policySnapshotsSchema } from "@/lib/server/access/approval-rules";
import { requireOnRollout, seesTarget } from "@/lib/server/access/coverage";
import type { AccessProfile } from "@/lib/server/access/policy";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { conflict, forbidden } from "@/lib/server/errors/app-error";
import { letGoOfRollout } from "@/lib/server/releases/writers";
import { advance } from "./advance";
import { enqueue, QUEUES } from "@/lib/server/jobs/queue";
import { emitRolloutEvent } from "./notify";
import { snapshotChange } from "./change-digest";
import { ownersNamed } from "./preview";
import { describeFinding } from "@/lib/server/guardrails/rules";
import { destinationOf, statesAllowing, targetStatesInto } from "./state-machine";

/**
 * Approvals bind to the change: an approval counts only for the digest it was given on
 * (change-digest.ts), only for ARCHIPELAGO_APPROVAL_TTL_MINUTES, and only under the policies
 * the approver stood under (access/approval-rules.ts). When every policy has its count the
 * digest is taken again from the clusters; if it differs (a kubectl edit, another rollout
 * landed, a new live default) the rollout does not start: the fresh preview replaces the old
 * one and needs approving again.
 */

const previewColumnSchema = z.array(z.custom<ClusterPreview>((value) => typeof value === "object" && value !== null));

const countFrom = () => new Date(Date.now() - env().ARCHIPELAGO_APPROVAL_TTL_MINUTES * 60_000);

async function event(rolloutId: string, step: string, details: Record<string, unknown>) {
  await db().rolloutEvent.create({
    data: { rolloutId, step: `${step}.${Date.now()}`, instance: "approval", details: details as object },
  });
}

/** Takes the change's digest and preview for the approvers of a rollout just created under a policy. */
export async function requestApproval(rolloutId: string): Promise<void> {
  const snapshot = await snapshotChange(rolloutId);
  await db().rollout.update({
    where: { id: rolloutId },
    data: {
      approvalDigest: snapshot.digest,
      approvalPreview: snapshot.clusters as object[],
      approvalDigestAt: new Date(),
      message: "Waiting for approval",
    },
  });
  await event(rolloutId, "approval.requested", { digest: snapshot.digest });
}

async function loadWaiting(id: string) {
  const rollout = await db().rollout.findUniqueOrThrow({
    where: { id },
    select: {
      state: true,
      createdById: true,
      approvalPolicies: true,
      approvalDigest: true,
      approvalDigestAt: true,
      approvalPreview: true,
      message: true,
      startAt: true,
      targets: { select: { clusterId: true, scope: true } },
      approvals: { orderBy: { createdAt: "asc" } },
    },
  });
  const policies = rollout.approvalPolicies === null ? [] : policySnapshotsSchema.parse(rollout.approvalPolicies);
  const from = countFrom();
  const counting = rollout.approvals.filter(
    (a) => a.decision === "approved" && a.digest === rollout.approvalDigest && a.createdAt >= from,
  );
  return { rollout, policies, counting, from };
}

/** What an approver reads before deciding: the policies, the decisions, and the previewed change. */
export async function approvalView(profile: AccessProfile, id: string): Promise<RolloutApprovalView> {
  await requireOnRollout(profile, "rollout.read", id);
  const { rollout, policies, counting, from } = await loadWaiting(id);
  const progress = approvalProgress(policies, counting);
  const standing = approverStanding(profile, policies, rollout.createdById);
  const already = rollout.approvals.some((a) => a.userId === profile.userId && a.digest === rollout.approvalDigest);
  const visible = new Set(rollout.targets.filter((t) => seesTarget(profile, t)).map((t) => t.clusterId));
  const preview = rollout.approvalPreview === null ? [] : previewColumnSchema.parse(rollout.approvalPreview);
  const reason =
    rollout.state !== "awaiting_approval"
      ? `The rollout is ${rollout.state.replace("_", " ")}`
      : !standing.ok
        ? standing.reason
        : already
          ? "You already decided on this change"
          : null;
  return {
    state: rollout.state,
    digest: rollout.approvalDigest,
    digestAt: rollout.approvalDigestAt?.toISOString() ?? null,
    approvalsCountFrom: from.toISOString(),
    policies: policies.map((policy, index) => ({
      id: policy.id,
      name: policy.name,
      clusterSelector: policy.clusterSelector,
      clusters: policy.clusters,
      required: progress.policies[index]!.required,
      approved: progress.policies[index]!.approved,
    })),
    decisions: rollout.approvals.map((a) => ({
      userEmail: a.userEmail,
      decision: a.decision === "rejected" ? "rejected" : "approved",
      comment: a.comment,
      at: a.createdAt.toISOString(),
      counts: counting.includes(a),
    })),
    you: { mayDecide: reason === null, reason },
    // Stored with release tokens; each reader gets owner names as they may know them (owner-words.ts).
    clusters: await Promise.all(
      preview
        .filter((cluster) => visible.has(cluster.clusterId))
        .map(async (cluster) => ({
          ...cluster,
          objects: await Promise.all(cluster.objects.map((object) => ownersNamed(profile, object))),
        })),
    ),
    stale: rollout.state === "awaiting_approval" && rollout.message?.startsWith("Stale:") ? rollout.message : null,
  };
}

export interface DecisionOutcome {
  decision: "approved" | "rejected";
  digest: string;
  /** approved: whether the rollout started, or went stale (a fresh preview awaits approval). */
  started: boolean;
  stale: boolean;
}

/** Approve or reject a rollout waiting for approval (4xx, nothing written, when the caller may not). */
export async function decideOnRollout(
  profile: AccessProfile,
  id: string,
  body: ApprovalDecisionBody,
): Promise<DecisionOutcome> {
  // Cannot see it: 404, exactly like a rollout that does not exist.
  await requireOnRollout(profile, "rollout.approve", id);
  const { rollout, policies } = await loadWaiting(id);
  if (rollout.state !== "awaiting_approval" || !rollout.approvalDigest)
    throw conflict(`A ${rollout.state.replace("_", " ")} rollout is not waiting for approval`);
  const standing = approverStanding(profile, policies, rollout.createdById);
  if (!standing.ok) throw forbidden(standing.reason);
  const digest = rollout.approvalDigest;
  const decision = body.decision === "approve" ? "approved" : "rejected";
  try {
    await db().$transaction(async (tx) => {
      // The digest decided on must still be the rollout's (a refresh in between makes this a 409).
      await tx.$queryRaw`SELECT id FROM rollouts WHERE id = ${id}::uuid FOR UPDATE`;
      const current = await tx.rollout.findUniqueOrThrow({
        where: { id },
        select: { state: true, approvalDigest: true },
      });
      if (current.state !== "awaiting_approval" || current.approvalDigest !== digest)
        throw conflict("The rollout changed while you decided; read its preview again");
      // An expired approval of this same change may be given again (the audit log keeps the old one).
      await tx.rolloutApproval.deleteMany({
        where: { rolloutId: id, userId: profile.userId, digest, createdAt: { lt: countFrom() } },
      });
      await tx.rolloutApproval.create({
        data: {
          rolloutId: id,
          userId: profile.userId,
          userEmail: profile.email,
          decision,
          comment: body.comment,
          digest,
          policyIds: standing.policyIds,
        },
      });
      if (decision === "rejected") {
        await tx.rollout.updateMany({
          where: { id, state: { in: statesAllowing("reject") } },
          data: { state: "rejected", finishedAt: new Date(), message: `Rejected by ${profile.email}` },
        });
        // Nothing started: every target ends skipped, so the rollout lets go of its clusters now.
        const skipped = await tx.rolloutTarget.updateManyAndReturn({
          where: { rolloutId: id, state: { in: targetStatesInto("skipped", ["pending", "queued"]) } },
          data: { state: "skipped" },
          select: { id: true },
        });
        await tx.rolloutEvent.createMany({
          data: skipped.map((t) => ({ rolloutId: id, targetId: t.id, step: "target.skipped", instance: "approval" })),
          skipDuplicates: true,
        });
        await letGoOfRollout(tx, id);
        await emitRolloutEvent(tx, id, "rollout.rejected", { extra: { by: profile.email } });
      }
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw conflict("You already decided on this change");
    throw error;
  }
  await event(id, `approval.${decision}`, { by: profile.email, digest, comment: body.comment });
  if (decision === "rejected") return { decision, digest, started: false, stale: false };
  const after = await loadWaiting(id);
  if (!approvalProgress(after.policies, after.counting).satisfied)
    return { decision, digest, started: false, stale: false };
  // Scheduled: approved now, it stays waiting until its start, when its preview is taken again.
  const startAt = after.rollout.startAt;
  if (startAt && startAt > new Date()) {
    await db().rollout.updateMany({
      where: { id, state: "awaiting_approval", approvalDigest: digest },
      data: { message: `Approved; scheduled to start at ${startAt.toISOString()} (its preview is taken again then)` },
    });
    await enqueue(QUEUES.advance, { rolloutId: id }, startAt);
    return { decision, digest, started: false, stale: false };
  }
  const started = await startIfUnchanged(id, digest);
  return { decision, digest, started, stale: !started };
}

/**
 * A scheduled rollout at its start (advance.ts asks): if every policy still has its count of
 * approvals of the current digest, the preview is taken again and it starts only when the same.
 */
export async function startWhenScheduled(id: string): Promise<void> {
  const waiting = await loadWaiting(id);
  const { rollout } = waiting;
  if (rollout.state !== "awaiting_approval" || !rollout.approvalDigest || !rollout.startAt) return;
  if (rollout.startAt > new Date() || !approvalProgress(waiting.policies, waiting.counting).satisfied) return;
  await startIfUnchanged(id, rollout.approvalDigest, "at its scheduled start");
}

/**
 * Every policy has its count: take the digest again from the clusters. The same: the rollout
 * starts. Different: the fresh preview replaces the approved one (old approvals stop counting).
 */
async function startIfUnchanged(id: string, approved: string, when?: string): Promise<boolean> {
  const snapshot = await snapshotChange(id);
  if (snapshot.digest === approved && snapshot.denied.length) {
    // Approved, but a guardrail denies it: it does not start (the preview already shows the deny).
    await db().rollout.updateMany({
      where: { id, state: "awaiting_approval" },
      data: { message: `Blocked: ${snapshot.denied.map(describeFinding).join("; ")}` },
    });
    await event(id, "approval.blocked-by-guardrail", { findings: snapshot.denied });
    return false;
  }
  if (snapshot.digest === approved) {
    // The events exist exactly when the move does: the last approval lets it start.
    const moved = await db().$transaction(async (tx) => {
      const { count } = await tx.rollout.updateMany({
        where: { id, state: { in: statesAllowing("approved") }, approvalDigest: approved },
        data: { state: destinationOf("approved"), message: null },
      });
      if (count === 0) return false;
      await emitRolloutEvent(tx, id, "rollout.approved");
      await emitRolloutEvent(tx, id, "rollout.started");
      return true;
    });
    if (!moved) return false;
    await event(id, "approval.started", { digest: approved });
    await advance(id);
    return true;
  }
  await markStale(
    id,
    snapshot,
    `${when ? `${when}, ` : ""}the live state or the change differs from the approved preview`,
  );
  return false;
}

async function markStale(id: string, snapshot: Awaited<ReturnType<typeof snapshotChange>>, why: string) {
  await db().rollout.updateMany({
    where: { id, state: "awaiting_approval" },
    data: {
      approvalDigest: snapshot.digest,
      approvalPreview: snapshot.clusters as object[],
      approvalDigestAt: new Date(),
      message: `Stale: ${why}; the fresh preview needs approval again`,
    },
  });
  await event(id, "approval.stale", { digest: snapshot.digest });
}

/** A fresh preview on request (steerers): when it differs, earlier approvals stop counting. */
export async function refreshApprovalPreview(profile: AccessProfile, id: string): Promise<{ changed: boolean }> {
  await requireOnRollout(profile, "rollout.refresh-preview", id);
  const { rollout } = await loadWaiting(id);
  if (rollout.state !== "awaiting_approval")
    throw conflict(`A ${rollout.state.replace("_", " ")} rollout is not waiting for approval`);
  const snapshot = await snapshotChange(id);
  if (snapshot.digest === rollout.approvalDigest) return { changed: false };
  await markStale(id, snapshot, `a fresh preview (asked by ${profile.email}) differs from the one approved`);
  return { changed: true };
}
