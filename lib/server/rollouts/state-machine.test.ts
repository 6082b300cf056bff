import { describe, expect, it } from "vitest";
import {
  destinationOf,
  nextState,
  ROLLOUT_EVENTS,
  ROLLOUT_STATES,
  statesAllowing,
  TARGET_TRANSITIONS,
  TERMINAL_ROLLOUT_STATES,
  TRANSITIONS,
} from "./state-machine";

describe("the rollout state machine", () => {
  // Every state × every event: the expected destination, or null (the move is refused: 409).
  const expected: Record<string, Partial<Record<string, string>>> = {
    running: {
      pause: "paused",
      abort: "aborted",
      "waves-done": "succeeded",
      "wave-failed": "failed",
      "wave-failed-roll-back": "rolling_back",
      corrupt: "failed",
    },
    paused: { resume: "running", abort: "aborted", corrupt: "failed" },
    rolling_back: { "rollback-done": "rolled_back", "rollback-failed": "failed", corrupt: "failed" },
    succeeded: {},
    failed: {},
    aborted: {},
    rolled_back: {},
  };
  for (const state of ROLLOUT_STATES)
    for (const event of ROLLOUT_EVENTS)
      it(`${state} + ${event} → ${expected[state]?.[event] ?? "refused"}`, () => {
        expect(nextState(state, event)).toBe(expected[state]?.[event] ?? null);
      });

  it("terminal states are the ones with no way out", () => {
    expect(TERMINAL_ROLLOUT_STATES.sort()).toEqual(["aborted", "failed", "rolled_back", "succeeded"]);
  });

  it("the user's controls lead to one state from wherever they are allowed", () => {
    expect(destinationOf("pause")).toBe("paused");
    expect(destinationOf("resume")).toBe("running");
    expect(destinationOf("abort")).toBe("aborted");
    expect(statesAllowing("abort").sort()).toEqual(["paused", "running"]);
    expect(() => destinationOf("corrupt")).not.toThrow();
  });

  it("every target state is reachable from pending, and terminal ones lead nowhere but rollback", () => {
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
  });
});
