import { describe, expect, it } from "vitest";
import {
  destinationOf,
  moveRollout,
  nextState,
  ROLLOUT_EVENTS,
  ROLLOUT_STATES,
  statesAllowing,
  TARGET_ENDINGS,
  TARGET_TRANSITIONS,
  targetStatesInto,
  TERMINAL_ROLLOUT_STATES,
  TERMINAL_TARGET_STATES,
  TransitionError,
  TRANSITIONS,
} from "./state-machine";

/**
 * The table's own shape. Whether the engine moves along it (and along all of it) is checked
 * where the engine runs: engine.int.test.ts records every move its scenarios make at the
 * database and compares them with this table, edge for edge.
 */
describe("the rollout state machine", () => {
  it("a move the table does not have is an error, never a silent no-op", () => {
    for (const state of ROLLOUT_STATES)
      for (const event of ROLLOUT_EVENTS)
        if (nextState(state, event) === null) expect(() => moveRollout(state, event)).toThrow(TransitionError);
        else expect(moveRollout(state, event)).toBe(nextState(state, event));
    expect(() => targetStatesInto("applying", ["gating"])).toThrow(TransitionError);
  });

  it("terminal states are the ones with no way out", () => {
    expect(TERMINAL_ROLLOUT_STATES.sort()).toEqual(["aborted", "failed", "rejected", "rolled_back", "succeeded"]);
    for (const state of TERMINAL_TARGET_STATES)
      expect(TARGET_TRANSITIONS[state].every((to) => to === "rolling_back")).toBe(true);
  });

  it("the user's controls lead to one state from wherever they are allowed", () => {
    expect(destinationOf("pause")).toBe("paused");
    expect(destinationOf("resume")).toBe("running");
    expect(destinationOf("abort")).toBe("aborted");
    expect(statesAllowing("abort").sort()).toEqual(["awaiting_approval", "paused", "running"]);
  });

  it("a rollout awaiting approval starts only by approval, and a rejection ends it for good", () => {
    expect(nextState("awaiting_approval", "approved")).toBe("running");
    expect(nextState("awaiting_approval", "reject")).toBe("rejected");
    expect(nextState("awaiting_approval", "resume")).toBeNull();
    expect(nextState("paused", "approved")).toBeNull();
    expect(statesAllowing("approved")).toEqual(["awaiting_approval"]);
  });

  it("every target state is reachable from pending, and every ending step ends in a terminal state", () => {
    const seen = new Set<string>(["pending"]);
    const queue = ["pending"];
    while (queue.length) {
      const state = queue.shift() as keyof typeof TARGET_TRANSITIONS;
      for (const next of TARGET_TRANSITIONS[state]) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(TARGET_TRANSITIONS).sort());
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ROLLOUT_STATES].sort());
    for (const state of Object.values(TARGET_ENDINGS)) expect(TERMINAL_TARGET_STATES.has(state)).toBe(true);
  });
});
