import "server-only";
import { emitRolloutEvent } from "./notify";
import { randomUUID } from "node:crypto";
import { Prisma } from "@/lib/generated/prisma/client";
import type { RolloutRequest } from "@/lib/schemas/templates";
import type { AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { conflict, forbidden, validationFailed } from "@/lib/server/errors/app-error";
import { loadChangeCalendar } from "@/lib/server/access/change-window-store";
import { mayOverrideFreeze, startDecision } from "@/lib/server/access/change-windows";
import { planWaves } from "./plan";
import { advance } from "./engine";
import { sealSecretParam } from "@/lib/server/secrets/sealed-params";
import { storedParams } from "./secret-inputs";
import { holdForRollout } from "@/lib/server/releases/writers";
import { validateRollout } from "./validate";
import { policiesCovering, policySnapshotsSchema } from "@/lib/server/access/approval-rules";
import { requestApproval } from "./approval";
import { checkGuardrails, describeFinding, loadGuardrails } from "@/lib/server/guardrails/rules";

export interface StartedRollout {
  id: string;
  created: boolean;
  /** Paths of secret parameters given a new value (for the audit row: paths, never values). */
  secretsSet: string[];
  /** Paths of secret parameters that keep a value set before. */
  secretsKept: string[];
  /** Paths of secret references (their sources are read at apply time). */
  secretReferences: string[];
}

/**
 * Starts a rollout: validates everything, creates the release on first use, writes the
 * rollout with its waves and targets in one transaction, then lets the engine run it.
 * The same idempotency key always yields the same rollout (a double-clicked form starts one).
 */
export async function startRollout(
  profile: AccessProfile,
  request: RolloutRequest,
  options: { sealed?: Record<string, string>; note?: { step: string; details: Record<string, unknown> } } = {},
): Promise<StartedRollout> {
  const none = { secretsSet: [], secretsKept: [], secretReferences: [] };
  if (request.idempotencyKey) {
    const existing = await db().rollout.findUnique({
      where: { idempotencyKey: request.idempotencyKey },
      select: { id: true, createdById: true },
    });
    // A key is the caller's own: someone else's key neither returns their rollout nor says it exists.
    if (existing && existing.createdById === profile.userId) return { id: existing.id, created: false, ...none };
    if (existing) throw validationFailed({ idempotencyKey: ["Use a new idempotency key"] });
  }
  if (request.freezeOverride && !mayOverrideFreeze(profile)) throw forbidden("Only an admin may override a freeze");
  const validated = await validateRollout(profile, request, { sealed: options.sealed });
  // A guardrail's deny blocks the start before anything is written, naming rule, object and cluster.
  const guardrails = await loadGuardrails();
  const denied = validated.targets
    .flatMap((target) =>
      checkGuardrails(guardrails, target, validated.desired.get(target.id) ?? [], {
        userEmail: profile.email,
        groups: profile.teamNames,
      }),
    )
    .filter((finding) => finding.action === "deny");
  if (denied.length)
    throw validationFailed({ guardrails: denied.map(describeFinding) }, "Blocked by the fleet's guardrails");
  // A change freeze refuses the start unless an admin overrides it with a reason (access/change-windows.ts).
  // A scheduled rollout is checked against the freezes at its start (its waves are checked again then).
  const startAt = request.startAt === undefined ? null : new Date(request.startAt);
  if (startAt && (startAt.getTime() <= Date.now() || startAt.getTime() > Date.now() + 366 * 24 * 3600_000))
    throw validationFailed({ startAt: ["startAt must be in the future and within a year"] });
  const calendar = await loadChangeCalendar();
  const freeze = startDecision(
    profile,
    calendar.freezes,
    validated.targets,
    startAt ?? new Date(),
    request.freezeOverride,
  );
  if (!freeze.ok)
    throw freeze.status === 403
      ? forbidden(freeze.message)
      : conflict(freeze.message, { freezeOverride: [`Frozen: ${freeze.freezes.join(", ")}`] });
  // New secret values are sealed before the transaction, bound to the release (made now if new) and path.
  const releaseId = validated.release?.id ?? randomUUID();
  const sealedValues = await Promise.all(
    [...validated.secrets.newValues].map(([path, value]) =>
      sealSecretParam({ releaseId, path, value, setBy: { id: profile.userId, email: profile.email } }),
    ),
  );
  validated.secrets.newValues.clear();
  const params = storedParams(validated.secrets, new Map(sealedValues.map((row) => [row.path, row.id])));
  const waves = planWaves(
    validated.targets.map((t) => t.id),
    request.strategy,
  );
  const names = new Map(validated.targets.map((t) => [t.id, t.name]));
  // Decided over ALL targets: one covered cluster makes the whole rollout wait for approval.
  const policies = policiesCovering(
    await db().approvalPolicy.findMany({ orderBy: { name: "asc" } }),
    validated.targets,
  );

  let rolloutId: string;
  try {
    rolloutId = await db().$transaction(async (tx) => {
      // Names are unique per team; the unique index cannot cover global releases (NULL team), so they take a lock.
      if (!validated.release && validated.teamId === null) {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`release:${request.releaseName}`}))`;
        if (await tx.release.findFirst({ where: { teamId: null, name: request.releaseName }, select: { id: true } }))
          throw conflict(
            `Release ${request.releaseName} was created by another request at the same moment; start again`,
          );
      }
      const release =
        validated.release ??
        (await tx.release.create({
          data: {
            id: releaseId,
            teamId: validated.teamId,
            name: request.releaseName,
            templateId: validated.templateId,
            createdById: profile.userId,
          },
          select: { id: true, name: true },
        }));
      if (sealedValues.length)
        await tx.secretParam.createMany({
          data: sealedValues.map((row) => ({ ...row, envelope: row.envelope as object })),
        });
      // One writer per release and cluster: refused (409 naming the holder) while another
      // rollout of this release is in flight, or a heal or check holds one of its clusters.
      const id = randomUUID();
      await holdForRollout(tx, {
        releaseId: release.id,
        rolloutId: id,
        clusterIds: validated.targets.map((t) => t.id),
        label: `rollout ${id} (started by ${profile.email})`,
      });
      const rollout = await tx.rollout.create({
        data: {
          id,
          teamId: validated.teamId,
          releaseId: release.id,
          revisionId: validated.revision.id,
          params: params as object,
          strategy: request.strategy as object,
          healthGate: request.healthGate as object,
          tolerateFailures: request.tolerateFailures,
          autoRollback: request.autoRollback,
          takeOwnership: request.takeOwnership,
          ...(policies.length
            ? { state: "awaiting_approval" as const, approvalPolicies: policySnapshotsSchema.parse(policies) }
            : {}),
          idempotencyKey: request.idempotencyKey ?? null,
          freezeOverrideReason: freeze.override?.reason ?? null,
          freezeOverrideBy: freeze.override ? profile.email : null,
          startAt,
          createdById: profile.userId,
          createdByEmail: profile.email,
          createdByTeams: profile.teamNames,
          waves: { create: waves.map((_, index) => ({ index })) },
          targets: {
            create: waves.flatMap((ids, index) =>
              ids.map((clusterId) => ({
                clusterId,
                clusterName: names.get(clusterId) ?? clusterId,
                waveIndex: index,
                scope: (validated.scope.get(clusterId) ?? []) as object[],
              })),
            ),
          },
        },
        select: { id: true },
      });
      // Under a policy nothing starts yet: its approvers hear that it waits (approval.ts tells of the start).
      await emitRolloutEvent(tx, rollout.id, policies.length ? "rollout.awaiting-approval" : "rollout.started");
      if (freeze.override)
        await tx.rolloutEvent.create({
          data: {
            rolloutId: rollout.id,
            step: "freeze.overridden",
            details: { by: profile.email, reason: freeze.override.reason },
          },
        });
      if (options.note)
        await tx.rolloutEvent.create({
          data: { rolloutId: rollout.id, step: options.note.step, details: options.note.details as object },
        });
      return rollout.id;
    });
  } catch (error) {
    // The same key raced in from a second click: answer with the rollout that won.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const existing = request.idempotencyKey
        ? await db().rollout.findUnique({
            where: { idempotencyKey: request.idempotencyKey },
            select: { id: true, createdById: true },
          })
        : null;
      if (existing?.createdById === profile.userId) return { id: existing.id, created: false, ...none };
      throw conflict(`Release ${request.releaseName} was created by another request at the same moment; start again`);
    }
    throw error;
  }
  // Under a policy nothing starts: the change is previewed and digested for its approvers instead.
  if (policies.length) await requestApproval(rolloutId);
  else await advance(rolloutId);
  return {
    id: rolloutId,
    created: true,
    secretsSet: sealedValues.map((row) => row.path).sort(),
    secretsKept: [...validated.secrets.kept.keys()].sort(),
    secretReferences: validated.secrets.references.map((spec) => spec.path).sort(),
  };
}
