import { describe, expect, it } from "vitest";
import { matchesSelector, parseSelector, selectorProblem } from "./label-selector";

const labels = { env: "prod", region: "eu-west", tier: "", "team.example.com/owner": "payments" };
const matches = (selector: string) => matchesSelector(parseSelector(selector), labels);

describe("label selectors", () => {
  it.each([
    ["env=prod", true],
    ["env==prod", true],
    ["env!=prod", false],
    ["env!=dev", true],
    ["missing!=x", true],
    ["env in (prod, staging)", true],
    ["env notin (prod)", false],
    ["region notin (us-east)", true],
    ["env", true],
    ["!env", false],
    ["!missing", true],
    ["tier=", true],
    ["team.example.com/owner=payments,env=prod", true],
    ["env=prod,region=us-east", false],
    ["", true],
  ])("%j matches: %s", (selector, expected) => {
    expect(matches(selector)).toBe(expected);
  });

  it.each([
    ["env in prod", /expected "\("/],
    ["env in ()", /at least one value/],
    ["env=prod,", /trailing comma/],
    ["env=prod region=eu", /expected ","/],
    ["-bad=x", /must start and end/],
    ["env=" + "x".repeat(64), /at most 63/],
    ["Bad_Prefix/x=1", /DNS subdomain/],
    ["env in (a b)", /expected "," or "\)"/],
  ])("rejects %j", (selector, message) => {
    expect(selectorProblem(selector)).toMatch(message);
  });
});
