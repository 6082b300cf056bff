import "server-only";

/**
 * The rollout state machine as data: every state, every event, and where each event leads.
 * The engine (advance.ts, apply-target.ts, rollback-target.ts, target-steps.ts), the controls
 * (control.ts) and the sweep (worker.ts) ask this table for every move: a rollout moves with
 * `moveRollout(state, event)`, a target with a conditional update `WHERE state IN
 * (targetStatesInto(to))`; a move the table does not have throws TransitionError (a bug), it
 * is never written and never silently skipped. engine.int.test.ts records every move the
 * engine makes in its scenarios and checks each against this table. The README draws it.
 */

/** A move the state table does not allow: our bug, reported as such. */
export class TransitionError extends Error {
  override name = "TransitionError";
}

export const ROLLOUT_STATES = [
  "awaiting_approval",
  "rejected",
  "running",
  "paused",
  "succeeded",
  "failed",
  "aborted",
  "rolling_back",
  "rolled_back",
] as const;
export type RolloutStateValue = (typeof ROLLOUT_STATES)[number];

export const ROLLOUT_EVENTS = [
  /** Every approval policy reached its count and the change digest still matches: it starts. */
  "approved",
  /** An approver rejected it: it never starts. */
  "reject",
  /** A user pauses: no target that has not started applying starts. */
  "pause",
  /** A user resumes: queued targets start, paused ones re-enter their health gate. */
  "resume",
  /** A user aborts: targets not started are skipped, health waits stop; nothing is rolled back. */
  "abort",
  /** Every wave succeeded. */
  "waves-done",
  /** A wave failed past the tolerance, without automatic rollback (or nothing to roll back). */
  "wave-failed",
  /** A wave failed past the tolerance, with automatic rollback of that wave. */
  "wave-failed-roll-back",
  /** Every target of the failed wave was rolled back. */
  "rollback-done",
  /** The rollback ended, but at least one target could not be rolled back. */
  "rollback-failed",
  /** The stored strategy of a running rollout does not parse: it cannot go on. */
  "corrupt",
] as const;
export type RolloutEvent = (typeof ROLLOUT_EVENTS)[number];

export const TRANSITIONS: Record<RolloutStateValue, Partial<Record<RolloutEvent, RolloutStateValue>>> = {
  // Waits for approvals of its change digest (rollouts/approval.ts); a stale digest keeps it here.
  awaiting_approval: { approved: "running", reject: "rejected", abort: "aborted" },
  rejected: {},
  running: {
    pause: "paused",
    abort: "aborted",
    "waves-done": "succeeded",
    "wave-failed": "failed",
    "wave-failed-roll-back": "rolling_back",
    corrupt: "failed",
  },
  // A paused rollout does not read its strategy (advance() waits for the resume), so it cannot find it corrupt.
  paused: { resume: "running", abort: "aborted" },
  // A rollback in progress finishes: aborting it would leave a wave half old, half new. It needs
  // no strategy, so a corrupt one does not stop it.
  rolling_back: { "rollback-done": "rolled_back", "rollback-failed": "failed" },
  succeeded: {},
  failed: {},
  aborted: {},
  rolled_back: {},
};

export const TERMINAL_ROLLOUT_STATES = ROLLOUT_STATES.filter((state) => Object.keys(TRANSITIONS[state]).length === 0);

export function nextState(state: RolloutStateValue, event: RolloutEvent): RolloutStateValue | null {
  return TRANSITIONS[state][event] ?? null;
}

/** Where `event` takes a rollout in `state`; a move the table does not have is an error. */
export function moveRollout(state: RolloutStateValue, event: RolloutEvent): RolloutStateValue {
  const next = nextState(state, event);
  if (!next) throw new TransitionError(`a ${state} rollout has no move for ${event}`);
  return next;
}

/** The states in which `event` is allowed: the WHERE clause of the conditional update that makes the move. */
export function statesAllowing(event: RolloutEvent): RolloutStateValue[] {
  return ROLLOUT_STATES.filter((state) => TRANSITIONS[state][event] !== undefined);
}

/**
 * A target's life. `queued` and `gating` wait for a worker to claim them (claimedBy); a paused
 * rollout's targets wait unclaimed in `queued` (not started) or `gating` (applied, gate not
 * passed). Every non-terminal state has an owner (a live instance's claim, the pause, or the
 * queue) and a bound enforced by the sweep (worker.ts).
 */
export const TARGET_TRANSITIONS = {
  pending: ["queued", "skipped"],
  queued: ["applying", "skipped"],
  applying: ["gating", "failed", "queued"],
  gating: ["succeeded", "failed"],
  succeeded: ["rolling_back"],
  failed: ["rolling_back"],
  rolling_back: ["rolled_back", "failed"],
  rolled_back: [],
  skipped: [],
} as const;

export type TargetStateValue = keyof typeof TARGET_TRANSITIONS;
export const TARGET_STATES = Object.keys(TARGET_TRANSITIONS) as TargetStateValue[];
export const TERMINAL_TARGET_STATES = new Set<TargetStateValue>(["succeeded", "failed", "rolled_back", "skipped"]);

/** The states a target may move into `to` from: the WHERE clause of every target move. */
export function targetStatesInto(to: TargetStateValue, among: readonly TargetStateValue[] = TARGET_STATES) {
  const from = among.filter((state) => (TARGET_TRANSITIONS[state] as readonly string[]).includes(to));
  if (!from.length) throw new TransitionError(`no target state among ${among.join(", ")} may move to ${to}`);
  return from;
}

/**
 * The WHERE clause of a write that leaves a claimed target where it is or moves it to `to`
 * along the table: a worker letting go of a target in `to` (a pause before the gate, a
 * failed attempt handed back) makes no move; from anywhere else, only the table's moves.
 */
export function targetStatesStayingOrInto(to: TargetStateValue): TargetStateValue[] {
  return [to, ...TARGET_STATES.filter((state) => (TARGET_TRANSITIONS[state] as readonly string[]).includes(to))];
}

/**
 * Every way a target ends, and the step that records it: advance() counts targets by the
 * state they ended in, so a new ending cannot go uncounted; the step says who ended it.
 */
export const TARGET_ENDINGS = {
  "target.succeeded": "succeeded",
  "target.failed": "failed",
  "target.skipped": "skipped",
  "target.rolled-back": "rolled_back",
  "target.rollback-failed": "failed",
  "target.ended-stuck": "failed",
  "target.ended-aborted": "failed",
} as const satisfies Record<string, TargetStateValue>;

/** Where an event leads, for events that lead to one state from wherever they are allowed (the user's controls). */
export function destinationOf(event: RolloutEvent): RolloutStateValue {
  const destinations = new Set(statesAllowing(event).map((state) => TRANSITIONS[state][event]!));
  if (destinations.size !== 1) throw new Error(`event ${event} leads to ${destinations.size} different states`);
  return [...destinations][0]!;
}
