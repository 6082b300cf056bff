import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./return-path";

describe("safeReturnPath", () => {
  it.each(["/clusters", "/inventory?kind=Deployment", "/teams/abc"])("keeps same-site path %s", (path) => {
    expect(safeReturnPath(path)).toBe(path);
  });

  it.each(["https://evil.example", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "", undefined])(
    "replaces %s with the dashboard",
    (path) => {
      expect(safeReturnPath(path)).toBe("/overview");
    },
  );
});
