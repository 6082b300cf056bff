import { describe, expect, it } from "vitest";
import { matchesAnyNamespace, namespaceMatches, namespacePatternProblem } from "./namespace-patterns";

describe("namespace patterns", () => {
  it.each([
    ["payments-*", "payments-eu", true],
    ["payments-*", "payments", false],
    ["*-prod", "checkout-prod", true],
    ["team-?", "team-a", true],
    ["team-?", "team-ab", false],
    ["*", "anything", true],
    ["kube-system", "kube-system", true],
    ["kube-system", "kube-system2", false],
  ])("%s vs %s → %s", (pattern, namespace, expected) => {
    expect(namespaceMatches(pattern, namespace)).toBe(expected);
  });

  it("matches when any pattern does", () => {
    expect(matchesAnyNamespace(["a", "b-*"], "b-1")).toBe(true);
    expect(matchesAnyNamespace([], "a")).toBe(false);
  });

  it.each(["", "Payments", "a/b", "[ab]", "{a,b}", "-lead", "x".repeat(64)])("rejects %j", (pattern) => {
    expect(namespacePatternProblem(pattern)).not.toBeNull();
  });

  it("does not treat regex characters as regex", () => {
    expect(namespacePatternProblem("a.b")).not.toBeNull();
  });
});
