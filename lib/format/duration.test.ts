import { describe, expect, it } from "vitest";
import { formatDuration, formatSpan } from "./duration";

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [400, "400 ms"],
    [999.6, "1 s"],
    [1000, "1 s"],
    [2345, "2.3 s"],
    [9999, "9.9 s"],
    [14_200, "14 s"],
    [59_999, "59 s"],
    [240_000, "4 min"],
    [299_000, "4 min"],
    [3_600_000, "1 h"],
    [3_900_000, "1 h 5 min"],
  ])("%d ms reads %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
  it("refuses nonsense rather than printing it", () => {
    expect(formatDuration(-5)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
  });
  it("spans two instants, or up to now", () => {
    expect(formatSpan("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.400Z")).toBe("400 ms");
    expect(formatSpan("2026-01-01T00:00:00.000Z", null, Date.parse("2026-01-01T00:04:00Z"))).toBe("4 min");
    expect(formatSpan(null, null)).toBe("—");
  });
});
