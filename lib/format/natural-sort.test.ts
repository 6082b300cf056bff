import { describe, expect, it } from "vitest";
import { compareNatural, sortByName } from "./natural-sort";

describe("natural sort", () => {
  it("puts a2 before a10 and keeps letters in order", () => {
    const names = ["a10", "a2", "b1", "a1", "A3", "a11"];
    expect([...names].sort(compareNatural)).toEqual(["a1", "a2", "A3", "a10", "a11", "b1"]);
  });
  it("sorts objects by name without changing the input", () => {
    const input = [{ name: "prod-20" }, { name: "prod-3" }];
    expect(sortByName(input).map((c) => c.name)).toEqual(["prod-3", "prod-20"]);
    expect(input[0]!.name).toBe("prod-20");
  });
});
