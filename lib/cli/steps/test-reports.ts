import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Counts of one stage, and where to start looking when something failed. */
export interface StageReport {
  passed: number;
  failed: number;
  skipped: number;
  /** The first failing test ("file > test name"), or the file that failed before its tests ran. */
  firstFailure?: string;
  /** The runner's own verdict (false also when a file failed outside any test). */
  success: boolean;
  /** Browser tests that failed and then passed on CI's one retry: named in the summary, never hidden. */
  flaky?: string[];
}

const relative = (file: string) => path.relative(process.cwd(), file) || file;

interface VitestJson {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults: Array<{ fullName: string; status: string }>;
  }>;
}

export function readVitestReport(file: string): StageReport | undefined {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, "utf8")) as VitestJson;
  let firstFailure: string | undefined;
  // A file that failed outside any test (its set-up threw) has no failed test of its own; it
  // counts as one, so the counts line never says "0 failed" about a failed run.
  let failedFiles = 0;
  for (const result of report.testResults) {
    const test = result.assertionResults.find((assertion) => assertion.status === "failed");
    if (test) firstFailure ??= `${relative(result.name)} > ${test.fullName}`;
    else if (result.status === "failed") {
      failedFiles += 1;
      firstFailure ??= `${relative(result.name)} (failed outside a test: ${(result.message ?? "").split("\n")[0]})`;
    }
  }
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + failedFiles,
    skipped: report.numPendingTests + report.numTodoTests,
    firstFailure,
    success: report.success,
  };
}

interface PlaywrightSuite {
  title: string;
  file?: string;
  specs?: Array<{ title: string; file: string; line: number; tests: Array<{ status: string }> }>;
  suites?: PlaywrightSuite[];
}

interface PlaywrightJson {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  suites: PlaywrightSuite[];
  errors?: Array<{ message?: string }>;
}

export function readPlaywrightReport(file: string): StageReport | undefined {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, "utf8")) as PlaywrightJson;
  const failures: string[] = [];
  const flaky: string[] = [];
  const walk = (suite: PlaywrightSuite, titles: string[]) => {
    for (const spec of suite.specs ?? []) {
      const name = `${path.join("e2e", spec.file)}:${spec.line} > ${[...titles, spec.title].join(" > ")}`;
      if (spec.tests.some((test) => test.status === "unexpected")) failures.push(name);
      else if (spec.tests.some((test) => test.status === "flaky")) flaky.push(name);
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  for (const suite of report.suites) walk(suite, []);
  const globalError = report.errors?.[0]?.message?.split("\n")[0];
  return {
    passed: report.stats.expected + report.stats.flaky,
    failed: report.stats.unexpected,
    skipped: report.stats.skipped,
    firstFailure: failures[0] ?? (globalError ? `(outside a test: ${globalError})` : undefined),
    success: report.stats.unexpected === 0 && !globalError,
    ...(flaky.length ? { flaky } : {}),
  };
}

/** Counts `go test -json` output. */
export function readGoTestJson(stdout: string): StageReport {
  const report: StageReport = { passed: 0, failed: 0, skipped: 0, success: true };
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const event = JSON.parse(line) as { Action?: string; Package?: string; Test?: string; Output?: string };
    if (event.Action === "fail" && !event.Test) report.success = false;
    if (!event.Test) continue;
    if (event.Action === "pass") report.passed += 1;
    else if (event.Action === "skip") report.skipped += 1;
    else if (event.Action === "fail") {
      report.failed += 1;
      report.firstFailure ??= `${event.Package ?? "testbed"} > ${event.Test}`;
    }
  }
  return report;
}

/** The output of each failing Go test (its t.Fatal lines included); the JSON itself is not for people. */
export function goFailureOutput(stdout: string): string {
  const outputs = new Map<string, string[]>();
  const failed: string[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const event = JSON.parse(line) as { Action?: string; Package?: string; Test?: string; Output?: string };
    if (!event.Test) continue;
    const key = `${event.Package ?? ""} ${event.Test}`;
    if (event.Action === "output" && event.Output) outputs.set(key, [...(outputs.get(key) ?? []), event.Output]);
    if (event.Action === "fail") failed.push(key);
  }
  return failed.map((key) => (outputs.get(key) ?? [`--- FAIL: ${key}\n`]).join("")).join("");
}
