import "server-only";
import cronParser from "cron-parser";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";

/**
 * May this wave run now, and when next? The one home of the change-window and freeze rules
 * (README "Change windows and freezes"). Pure: the clock is a parameter, so unit tests pick the
 * instant; the engine (rollouts/advance.ts) and the start (rollouts/create.ts) pass the real one.
 *
 * - A cluster matched by no window may change at any time; one matched by windows only while
 *   at least one of them is open (windows of a cluster add up; they never narrow each other).
 * - A freeze matching a cluster blocks it in [startsAt, endsAt) unless the rollout carries an
 *   admin's override. A stored selector that no longer parses matches every cluster: a window
 *   or freeze fails closed, like an approval policy.
 * - A wave runs only when every cluster of it may change at the same instant.
 */

export interface StoredWindow {
  name: string;
  clusterSelector: string;
  cron: string | null;
  timeZone: string | null;
  durationMinutes: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
}
export interface StoredFreeze {
  name: string;
  clusterSelector: string;
  startsAt: Date;
  endsAt: Date;
  reason: string;
}
export interface GateCluster {
  name: string;
  labels: Record<string, string>;
}

export type WaveGate =
  | { open: true }
  | { open: false; kind: "window"; clusters: string[]; opensAt: Date | null; message: string }
  | { open: false; kind: "freeze"; freezes: StoredFreeze[]; clusters: string[]; opensAt: Date; message: string }
  | { open: false; kind: "scheduled"; clusters: string[]; opensAt: Date | null; message: string };

function selects(selector: string): (labels: Record<string, string>) => boolean {
  try {
    const parsed = parseSelector(selector);
    return (labels) => matchesSelector(parsed, labels);
  } catch {
    return () => true;
  }
}

/** Parses a cron expression as a window stores it; throws with cron-parser's reason when it does not parse. */
export function parseWindowCron(cron: string, timeZone: string, currentDate: Date) {
  // cron-parser quietly fills missing fields; a window spells all five (or six, seconds first).
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) throw new Error(`expected 5 fields (or 6 with seconds), got ${fields}`);
  return cronParser.parseExpression(cron, { currentDate, tz: timeZone });
}

const LOOK_AHEAD_MS = 366 * 24 * 3600_000;

/** Whether one window is open at `now`, and if not, when it opens next (null: never again within a year). */
export function windowAt(
  window: StoredWindow,
  now: Date,
): { open: boolean; closesAt: Date | null; opensAt: Date | null } {
  if (window.cron && window.timeZone && window.durationMinutes) {
    const duration = window.durationMinutes * 60_000;
    try {
      // The latest opening at or before now (prev() looks before currentDate, so start just after now).
      const last = parseWindowCron(window.cron, window.timeZone, new Date(now.getTime() + 1))
        .prev()
        .toDate();
      if (now.getTime() < last.getTime() + duration)
        return { open: true, closesAt: new Date(last.getTime() + duration), opensAt: null };
    } catch {
      /* no opening before now */
    }
    try {
      const next = parseWindowCron(window.cron, window.timeZone, now).next().toDate();
      return { open: false, closesAt: null, opensAt: next.getTime() - now.getTime() <= LOOK_AHEAD_MS ? next : null };
    } catch {
      return { open: false, closesAt: null, opensAt: null };
    }
  }
  if (window.startsAt && window.endsAt) {
    if (now >= window.startsAt && now < window.endsAt) return { open: true, closesAt: window.endsAt, opensAt: null };
    return { open: false, closesAt: null, opensAt: now < window.startsAt ? window.startsAt : null };
  }
  return { open: false, closesAt: null, opensAt: null };
}

/** The freezes that hold at least one of these clusters at `now`, with the clusters each holds. */
export function freezesAt(freezes: readonly StoredFreeze[], clusters: readonly GateCluster[], now: Date) {
  return freezes.flatMap((freeze) => {
    if (now < freeze.startsAt || now >= freeze.endsAt) return [];
    const matches = selects(freeze.clusterSelector);
    const held = clusters.filter((c) => matches(c.labels)).map((c) => c.name);
    return held.length ? [{ freeze, clusters: held }] : [];
  });
}

/** Clusters of the wave outside all their windows at `at`, with the earliest time each opens next. */
function closedAt(windows: readonly StoredWindow[], clusters: readonly GateCluster[], at: Date) {
  const closed: Array<{ name: string; opensAt: Date | null }> = [];
  for (const cluster of clusters) {
    const own = windows.filter((w) => selects(w.clusterSelector)(cluster.labels));
    if (own.length === 0) continue;
    const states = own.map((w) => windowAt(w, at));
    if (states.some((s) => s.open)) continue;
    const openings = states.flatMap((s) => (s.opensAt ? [s.opensAt.getTime()] : []));
    closed.push({ name: cluster.name, opensAt: openings.length ? new Date(Math.min(...openings)) : null });
  }
  return closed;
}

/**
 * May a wave of these clusters start at `now`? If not: why, and the next instant it may (every
 * cluster open at once), found by stepping to the latest of the clusters' next openings until
 * all are open together (bounded: windows that never overlap within the look-ahead give null).
 */
export function waveGate(
  windows: readonly StoredWindow[],
  freezes: readonly StoredFreeze[],
  clusters: readonly GateCluster[],
  now: Date,
  options: { freezeOverridden?: boolean; notBefore?: Date | null } = {},
): WaveGate {
  // A scheduled start: nothing before it, then the first instant the windows allow.
  if (options.notBefore && now < options.notBefore) {
    const then = waveGate(windows, freezes, clusters, options.notBefore, { ...options, notBefore: null });
    const opensAt = then.open ? options.notBefore : then.opensAt;
    return {
      open: false,
      kind: "scheduled",
      clusters: [],
      opensAt,
      message: `Scheduled to start at ${options.notBefore.toISOString()}${then.open ? "" : ` (then: ${then.message})`}`,
    };
  }
  if (!options.freezeOverridden) {
    const held = freezesAt(freezes, clusters, now);
    if (held.length) {
      const until = new Date(Math.max(...held.map((h) => h.freeze.endsAt.getTime())));
      const names = [...new Set(held.flatMap((h) => h.clusters))];
      return {
        open: false,
        kind: "freeze",
        freezes: held.map((h) => h.freeze),
        clusters: names,
        opensAt: until,
        message: `Frozen until ${until.toISOString()}: ${held.map((h) => `${h.freeze.name} (${h.freeze.reason})`).join("; ")}`,
      };
    }
  }
  const closed = closedAt(windows, clusters, now);
  if (closed.length === 0) return { open: true };
  let candidate: Date | null = now;
  for (let step = 0; step < 50 && candidate; step += 1) {
    const still = closedAt(windows, clusters, candidate);
    if (still.length === 0) break;
    if (still.some((c) => c.opensAt === null)) candidate = null;
    else candidate = new Date(Math.max(...still.map((c) => c.opensAt!.getTime())));
    if (candidate && candidate.getTime() - now.getTime() > LOOK_AHEAD_MS) candidate = null;
    if (step === 49) candidate = null;
  }
  const names = closed.map((c) => c.name);
  return {
    open: false,
    kind: "window",
    clusters: names,
    opensAt: candidate,
    message: candidate
      ? `Waiting for window: ${names.join(", ")} outside their change window; opens ${candidate.toISOString()}`
      : `Waiting for window: ${names.join(", ")} outside their change window; no opening within a year`,
  };
}

/** Only an admin may override a freeze (checked before anything else about the rollout). */
export function mayOverrideFreeze(caller: { isAdmin: boolean }): boolean {
  return caller.isAdmin;
}

export type StartDecision =
  | { ok: true; override: { reason: string } | null }
  | { ok: false; status: 403 | 409; message: string; freezes: string[] };

/**
 * May a rollout over these clusters start at `now`? A freeze holding any of them refuses it
 * (409 naming the freeze, its reason and clusters) unless an admin overrides with a reason;
 * an override asked by a non-admin is refused (403) whether or not a freeze holds. Windows do
 * not refuse a start: the waves wait for them (waveGate).
 */
export function startDecision(
  caller: { isAdmin: boolean },
  freezes: readonly StoredFreeze[],
  clusters: readonly GateCluster[],
  now: Date,
  override: { reason: string } | undefined,
): StartDecision {
  if (override && !mayOverrideFreeze(caller))
    return { ok: false, status: 403, message: "Only an admin may override a freeze", freezes: [] };
  if (override) return { ok: true, override };
  const held = freezesAt(freezes, clusters, now);
  if (held.length === 0) return { ok: true, override: null };
  return {
    ok: false,
    status: 409,
    freezes: held.map((h) => h.freeze.name),
    message:
      "Blocked by a change freeze: " +
      held
        .map(
          (h) =>
            `${h.freeze.name} (${h.freeze.reason}) until ${h.freeze.endsAt.toISOString()} holds ${h.clusters.join(", ")}`,
        )
        .join("; ") +
      ". An admin may override it with a reason.",
  };
}
