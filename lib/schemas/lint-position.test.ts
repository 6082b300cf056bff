import { describe, expect, it } from "vitest";
import { atPosition, parsePosition } from "./lint-position";

describe("lint positions", () => {
  it("reads back what the server writes", () => {
    expect(parsePosition(`${atPosition(3, 7)}unexpected token`)).toEqual({
      line: 3,
      column: 7,
      message: "unexpected token",
    });
    expect(parsePosition(`${atPosition(12, null)}no column`)).toEqual({ line: 12, column: null, message: "no column" });
  });
  it("finds no position in a message without one", () => {
    expect(atPosition(null, 4)).toBe("");
    expect(parsePosition("the template renders no object")).toBeNull();
    expect(parsePosition("line ?: unknown")).toBeNull();
  });
});
