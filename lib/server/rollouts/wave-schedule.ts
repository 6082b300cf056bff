import "server-only";
import type { WaveSchedule } from "@/lib/api/rollout-types";
import type { RolloutRequest } from "@/lib/schemas/templates";
import { loadChangeCalendar } from "@/lib/server/access/change-window-store";
import { waveGate, type GateCluster } from "@/lib/server/access/change-windows";
import { planWaves } from "./plan";

/**
 * Before the start, when each wave could run (the form shows it with the preview): each wave
 * checked on its own at the start (now, or startAt for the first wave), through the same gate
 * the engine uses, so a wave behind a window shows its next opening.
 */
export async function waveSchedule(
  request: RolloutRequest,
  targets: ReadonlyArray<GateCluster & { id: string }>,
  now = new Date(),
): Promise<WaveSchedule[]> {
  const calendar = await loadChangeCalendar();
  const byId = new Map(targets.map((t) => [t.id, t]));
  const startAt = request.startAt ? new Date(request.startAt) : null;
  return planWaves(
    targets.map((t) => t.id),
    request.strategy,
  ).map((ids, index) => {
    const clusters = ids.map((id) => byId.get(id)!);
    const gate = waveGate(calendar.windows, calendar.freezes, clusters, now, {
      freezeOverridden: Boolean(request.freezeOverride),
      notBefore: index === 0 ? startAt : null,
    });
    return {
      index,
      clusters: clusters.map((c) => c.name),
      runsAt: gate.open ? now.toISOString() : (gate.opensAt?.toISOString() ?? null),
      wait: gate.open ? null : gate.message,
    };
  });
}
