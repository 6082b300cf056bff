import "server-only";
import type { RolloutDetail, RolloutPage } from "@/lib/api/rollout-types";
import { Prisma } from "@/lib/generated/prisma/client";
import { placesOfTarget } from "@/lib/server/access/coverage";
import { canSeeNamespace, type AccessProfile } from "@/lib/server/access/policy";
import { canReadTemplate, decide, seesPlace } from "@/lib/server/access/resource-rules";
import { ownerTeamView } from "@/lib/server/access/owner-team";
import { rolloutVisibleSql } from "@/lib/server/access/visibility-sql";
import { db } from "@/lib/server/db/client";
import { keysetPage } from "@/lib/server/db/keyset-page";
import { notFound } from "@/lib/server/errors/app-error";
import { isUuid } from "@/lib/schemas/ids";
import type { ListRolloutsQuery } from "@/lib/schemas/lists";
import { encodeCursor } from "@/lib/schemas/paging";
import { strategySchema } from "@/lib/schemas/templates";
import { namedFor, ownerText } from "@/lib/server/releases/owner-words";
import { secretParamViews } from "@/lib/server/releases/secret-views";
import {
  storedGateSchema,
  storedHealthGateSchema,
  storedParamsSchema,
  targetObjectsSchema,
} from "@/lib/server/releases/columns";

/**
 * Reads of rollouts, cut to what the caller can see: a rollout is listed when the caller can
 * see one of the places it writes to (rule `rollout.read`), and its answer then carries only
 * the visible targets, objects, waves, canaries and events. Nothing from outside (a hidden
 * cluster's id or name, a hidden wave, counts that include hidden targets) is in it.
 */

interface TargetRow {
  id: string;
  clusterId: string;
  clusterName: string;
  waveIndex: number;
  scope: unknown;
}

/** Which targets the caller sees, and whether each is seen whole (every place it writes to). */
function cutTargets<T extends TargetRow>(profile: AccessProfile, targets: T[]) {
  const seen = new Map<string, { whole: boolean }>();
  for (const target of targets) {
    const places = placesOfTarget(target);
    const visible = places.filter((place) => seesPlace(profile, place));
    if (visible.length) seen.set(target.id, { whole: visible.length === places.length });
  }
  return seen;
}

/**
 * One page of the rollouts the caller may read, newest first. Visibility, order, the page cut
 * and the total are decided in SQL (keyset on created_at, id; the predicate from
 * access/visibility-sql.ts) inside one repeatable-read transaction, so the total and the page's
 * keys agree; then only the page's rows are loaded, and cut per row as before.
 */
export async function listRollouts(profile: AccessProfile, query: ListRolloutsQuery): Promise<RolloutPage> {
  const visible = rolloutVisibleSql(profile, "r");
  const after = query.cursor
    ? Prisma.sql`AND (r.created_at, r.id) < (${new Date(query.cursor.createdAt)}::timestamptz, ${query.cursor.id}::uuid)`
    : Prisma.empty;
  const { keys, total } = await keysetPage<{ id: string; created_at: Date }>(
    Prisma.sql`SELECT r.id::text AS id, r.created_at FROM rollouts r
      WHERE ${visible} ${after}
      ORDER BY r.created_at DESC, r.id DESC
      LIMIT ${query.pageSize + 1}`,
    Prisma.sql`SELECT count(*)::int AS total FROM rollouts r WHERE ${visible}`,
  );
  // Loaded outside the transaction: Prisma runs an include's queries concurrently, which a
  // transaction's single connection only queues (pg warns). A row deleted meanwhile is left out.
  const rows = await db().rollout.findMany({
    where: { id: { in: keys.slice(0, query.pageSize).map((key) => key.id) } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    include: {
      team: { select: { id: true, name: true } },
      release: { select: { name: true } },
      revision: { select: { number: true, template: { select: { teamId: true, name: true } } } },
      targets: {
        select: { id: true, clusterId: true, clusterName: true, waveIndex: true, scope: true, state: true },
      },
    },
  });
  const last = keys.length > query.pageSize ? keys[query.pageSize - 1]! : null;
  return {
    total,
    nextCursor: last ? encodeCursor("rollouts", { createdAt: last.created_at.toISOString(), id: last.id }) : null,
    rollouts: rows.map((row) => {
      const seen = cutTargets(profile, row.targets);
      const targets = profile.isAdmin ? row.targets : row.targets.filter((target) => seen.has(target.id));
      const template = row.revision.template;
      return {
        id: row.id,
        team: ownerTeamView(row.team),
        release: row.release.name,
        template: canReadTemplate(profile, template) ? template.name : null,
        revision: row.revision.number,
        state: row.state,
        createdByEmail: row.createdByEmail,
        createdAt: row.createdAt.toISOString(),
        finishedAt: row.finishedAt?.toISOString() ?? null,
        targets: targets.length,
        succeeded: targets.filter((t) => t.state === "succeeded").length,
        failed: targets.filter((t) => t.state === "failed").length,
      };
    }),
  };
}

/** Where a pause caught a target (see control.ts): what the rollout page says about it. */
function pauseNote(target: { state: string; claimedBy: string | null }): string | null {
  if (target.state === "queued" || target.state === "pending") return "not started: waits for resume";
  if (target.state === "gating" && target.claimedBy === null) return "applied: waits before its health gate";
  if (target.state === "applying" || target.state === "gating") return "finishing its current step, then waits";
  return null;
}

/** Stored columns parsed, never cast (releases/columns.ts); a row that does not parse shows nothing rather than a guess. */
const objectListSchemaSafe = (value: unknown): RolloutDetail["targets"][number]["objects"] => {
  const parsed = targetObjectsSchema.safeParse(value);
  if (!parsed.success) return [];
  return parsed.data.map((o) => ({
    kind: o.kind,
    namespace: o.namespace,
    name: o.name,
    action: o.action,
    ...(typeof o.error === "string" ? { error: o.error } : {}),
    ...(Array.isArray(o.conflictManagers) ? { conflictManagers: o.conflictManagers.map(String) } : {}),
    ...(o.tookOver && o.owner ? { takenOverFrom: ownerText(o.owner) } : {}),
  }));
};
const gateSafe = (value: unknown): RolloutDetail["targets"][number]["gate"] => {
  const parsed = storedGateSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
};

export async function getRollout(profile: AccessProfile, id: string): Promise<RolloutDetail> {
  if (!isUuid(id)) throw notFound("Rollout");
  const rollout = await db().rollout.findUnique({
    where: { id },
    include: {
      team: { select: { id: true, name: true } },
      release: { select: { id: true, name: true } },
      revision: { select: { number: true, template: { select: { id: true, teamId: true, name: true } } } },
      waves: { orderBy: { index: "asc" } },
      targets: { orderBy: [{ waveIndex: "asc" }, { clusterName: "asc" }] },
      // The newest 500 (a long rollout's latest steps matter most), shown oldest first.
      events: { orderBy: { id: "desc" }, take: 500 },
    },
  });
  if (!rollout) throw notFound("Rollout");
  const places = rollout.targets.flatMap(placesOfTarget);
  if (decide(profile, "rollout.read", { teamId: rollout.teamId, places }) !== "allowed") throw notFound("Rollout");

  const seen = profile.isAdmin
    ? new Map(rollout.targets.map((t) => [t.id, { whole: true }]))
    : cutTargets(profile, rollout.targets);
  const whole = seen.size === rollout.targets.length && [...seen.values()].every((s) => s.whole);
  const targets = rollout.targets.filter((t) => seen.has(t.id));
  // Waves with no visible target are left out, and the rest renumbered, so a hidden wave leaves no gap.
  const visibleWaves = [...new Set(targets.map((t) => t.waveIndex))].sort((a, b) => a - b);
  const waveNumber = new Map(visibleWaves.map((index, position) => [index, position]));
  const currentWave = visibleWaves.filter((index) => index < rollout.currentWave).length;
  const strategy = strategySchema.safeParse(rollout.strategy);
  const template = rollout.revision.template;
  const shownParams = whole
    ? await secretParamViews(storedParamsSchema.safeParse(rollout.params).data ?? {})
    : { params: {}, secrets: [] };

  // Another release is stored by id (releases/owner-words.ts): named here as this reader may know it.
  const named = (text: string | null) => namedFor(profile, text);
  const namedObjects = async (objects: RolloutDetail["targets"][number]["objects"]) =>
    Promise.all(
      objects.map(async (o) => ({
        ...o,
        ...(o.error ? { error: await namedFor(profile, o.error) } : {}),
        ...(o.takenOverFrom ? { takenOverFrom: await namedFor(profile, o.takenOverFrom) } : {}),
      })),
    );
  return {
    id: rollout.id,
    team: ownerTeamView(rollout.team),
    state: rollout.state,
    // The message can count or name hidden targets; a partial viewer gets the state alone.
    message: whole ? await named(rollout.message) : null,
    release: rollout.release,
    template: canReadTemplate(profile, template) ? { id: template.id, name: template.name } : null,
    revision: rollout.revision.number,
    // Parameters can name hidden namespaces or hosts: only for whoever sees the whole rollout.
    // Secret parameters are shown as set (by whom, when), never with a value.
    params: shownParams.params,
    secretParams: shownParams.secrets,
    strategy: !strategy.success
      ? { kind: "unknown" }
      : strategy.data.kind === "waves"
        ? {
            ...strategy.data,
            canaryClusterIds: strategy.data.canaryClusterIds.filter((c) => targets.some((t) => t.clusterId === c)),
          }
        : strategy.data,
    healthGate: storedHealthGateSchema.safeParse(rollout.healthGate).data ?? { timeoutSeconds: 0 },
    tolerateFailures: rollout.tolerateFailures,
    autoRollback: rollout.autoRollback,
    takeOwnership: rollout.takeOwnership,
    createdByEmail: rollout.createdByEmail,
    createdAt: rollout.createdAt.toISOString(),
    finishedAt: rollout.finishedAt?.toISOString() ?? null,
    currentWave,
    waves: rollout.waves
      .filter((w) => waveNumber.has(w.index))
      .map((w) => ({
        index: waveNumber.get(w.index)!,
        state: w.state,
        startedAt: w.startedAt?.toISOString() ?? null,
        bakeUntil: w.bakeUntil?.toISOString() ?? null,
        finishedAt: w.finishedAt?.toISOString() ?? null,
        // Waiting for a change window or a freeze; the reason names clusters, so only for whole viewers.
        waitingForWindow: w.state === "pending" && w.windowWait !== null,
        windowWait: whole ? w.windowWait : null,
        windowOpensAt: w.windowOpensAt?.toISOString() ?? null,
      })),
    startAt: rollout.startAt?.toISOString() ?? null,
    freezeOverride:
      rollout.freezeOverrideReason === null
        ? null
        : { reason: rollout.freezeOverrideReason, by: rollout.freezeOverrideBy ?? "unknown" },
    targets: await Promise.all(
      targets.map(async (t) => {
        const targetWhole = seen.get(t.id)!.whole;
        return {
          id: t.id,
          clusterId: t.clusterId,
          clusterName: t.clusterName,
          wave: waveNumber.get(t.waveIndex)!,
          state: t.state,
          pause: rollout.state === "paused" ? pauseNote(t) : null,
          objects: await namedObjects(
            objectListSchemaSafe(t.objects).filter((o) => canSeeNamespace(profile, t.clusterId, o.namespace)),
          ),
          // Gate counts and failing names, and the error, may speak of objects in hidden namespaces.
          gate: targetWhole ? gateSafe(t.gate) : {},
          error: targetWhole
            ? await named(t.error)
            : t.error
              ? "Failed (the details concern namespaces outside your access)"
              : null,
          startedAt: t.startedAt?.toISOString() ?? null,
          finishedAt: t.finishedAt?.toISOString() ?? null,
        };
      }),
    ),
    events: rollout.events.reverse().flatMap((e) => {
      if (whole) return [{ step: e.step, at: e.at.toISOString(), targetId: e.targetId, details: e.details }];
      if (e.targetId)
        return seen.has(e.targetId)
          ? [{ step: e.step, at: e.at.toISOString(), targetId: e.targetId, details: {} }]
          : [];
      const wave = /^wave\.(\d+)\.(.+)$/.exec(e.step);
      if (!wave) return [{ step: e.step, at: e.at.toISOString(), targetId: null, details: {} }];
      const position = waveNumber.get(Number(wave[1]));
      return position === undefined
        ? []
        : [{ step: `wave.${position}.${wave[2]}`, at: e.at.toISOString(), targetId: null, details: {} }];
    }),
  };
}
