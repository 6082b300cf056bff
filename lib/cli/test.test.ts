import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { goFailureOutput, readGoTestJson, readPlaywrightReport, readVitestReport } from "./steps/test-reports";

const tsx = path.resolve("node_modules/.bin/tsx");

describe("npm test", () => {
  it("refuses an unknown stage with one line listing the stages, before preparing anything", () => {
    const result = spawnSync(tsx, ["--tsconfig", "tsconfig.scripts.json", "lib/cli/test.ts", "nosuchstage"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      "Unknown stage(s): nosuchstage. Stages: typecheck, lint, format, unit, go, integration, e2e",
    );
    expect(result.stdout).not.toMatch(/prepare/);
  }, 60_000);
});

describe("stage reports", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "archipelago-reports-"));
  const write = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };

  it("names the first failing vitest test by file and full name", () => {
    const file = write("vitest.json", {
      success: false,
      numPassedTests: 3,
      numFailedTests: 1,
      numPendingTests: 1,
      numTodoTests: 0,
      testResults: [
        {
          name: path.resolve("a.int.test.ts"),
          status: "passed",
          assertionResults: [{ fullName: "a ok", status: "passed" }],
        },
        {
          name: path.resolve("lib/b.int.test.ts"),
          status: "failed",
          assertionResults: [
            { fullName: "b ok", status: "passed" },
            { fullName: "b > breaks", status: "failed" },
          ],
        },
      ],
    });
    expect(readVitestReport(file)).toEqual({
      passed: 3,
      failed: 1,
      skipped: 1,
      success: false,
      firstFailure: "lib/b.int.test.ts > b > breaks",
    });
  });

  it("names a vitest file that failed before any test ran (a set-up that threw)", () => {
    const file = write("vitest-setup.json", {
      success: false,
      numPassedTests: 5,
      numFailedTests: 0,
      numPendingTests: 2,
      numTodoTests: 0,
      testResults: [
        {
          name: path.resolve("lib/c.int.test.ts"),
          status: "failed",
          message: "set-up exploded\n  at somewhere",
          assertionResults: [{ fullName: "c one", status: "skipped" }],
        },
      ],
    });
    expect(readVitestReport(file)).toMatchObject({
      failed: 1,
      firstFailure: "lib/c.int.test.ts (failed outside a test: set-up exploded)",
    });
  });

  it("names the first failing browser test with its spec file, line and titles", () => {
    const file = write("e2e.json", {
      stats: { expected: 4, unexpected: 1, flaky: 1, skipped: 0 },
      suites: [
        {
          title: "access.spec.ts",
          specs: [{ title: "fine", file: "access.spec.ts", line: 3, tests: [{ status: "expected" }] }],
          suites: [
            {
              title: "bad input",
              specs: [{ title: "rejects", file: "access.spec.ts", line: 40, tests: [{ status: "unexpected" }] }],
            },
          ],
        },
      ],
    });
    expect(readPlaywrightReport(file)).toEqual({
      passed: 5,
      failed: 1,
      skipped: 0,
      success: false,
      firstFailure: "e2e/access.spec.ts:40 > bad input > rejects",
    });
  });

  it("names the browser tests that passed only on the retry, and counts them as passed", () => {
    const file = write("e2e-flaky.json", {
      stats: { expected: 1, unexpected: 0, flaky: 1, skipped: 0 },
      suites: [
        {
          title: "theme.spec.ts",
          specs: [
            { title: "steady", file: "theme.spec.ts", line: 3, tests: [{ status: "expected" }] },
            { title: "wobbly", file: "theme.spec.ts", line: 9, tests: [{ status: "flaky" }] },
          ],
        },
      ],
    });
    expect(readPlaywrightReport(file)).toEqual({
      passed: 2,
      failed: 0,
      skipped: 0,
      success: true,
      flaky: ["e2e/theme.spec.ts:9 > wobbly"],
    });
  });

  it("counts go test -json events and names the first failing Go test", () => {
    const lines = [
      { Action: "pass", Package: "p/a", Test: "TestA" },
      { Action: "fail", Package: "p/b", Test: "TestB" },
      { Action: "skip", Package: "p/b", Test: "TestC" },
      { Action: "fail", Package: "p/b" },
    ];
    const report = readGoTestJson(lines.map((line) => JSON.stringify(line)).join("\n"));
    expect(report).toEqual({ passed: 1, failed: 1, skipped: 1, success: false, firstFailure: "p/b > TestB" });
  });

  it("shows a failing Go test's own output lines, not only its name", () => {
    const lines = [
      { Action: "output", Package: "p/a", Test: "TestA", Output: "=== RUN   TestA\n" },
      { Action: "pass", Package: "p/a", Test: "TestA" },
      { Action: "output", Package: "p/b", Test: "TestB", Output: "    b_test.go:18: started process not alive\n" },
      { Action: "output", Package: "p/b", Test: "TestB", Output: "--- FAIL: TestB (0.00s)\n" },
      { Action: "fail", Package: "p/b", Test: "TestB" },
    ];
    expect(goFailureOutput(lines.map((line) => JSON.stringify(line)).join("\n"))).toBe(
      "    b_test.go:18: started process not alive\n--- FAIL: TestB (0.00s)\n",
    );
  });
});
