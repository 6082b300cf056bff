/**
 * `npm test`: every check, in order — type check, lint, format, unit tests (TypeScript, then the
 * testbed's Go), integration tests (real Postgres and testbed clusters), browser tests (real
 * Chromium against the built app). First it prepares what the selected stages need (Go, the
 * testbed binaries and clusters, the app build, a Chromium), outside any test timeout, so a fresh
 * machine passes the first time or gets one line naming the fix. Stages run even after a failure
 * so one run reports everything; the exit code is non-zero if anything failed.
 * `npm test -- unit e2e` runs only the named stages.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { prepare, type Need } from "./steps/prepare";
import { ensurePrismaClient } from "./steps/prisma-client";
import {
  goFailureOutput,
  readGoTestJson,
  readPlaywrightReport,
  readVitestReport,
  type StageReport,
} from "./steps/test-reports";

const RESULTS = path.resolve(".test-results");

interface Outcome {
  ok: boolean;
  report?: StageReport;
  /** Why the stage did not run, or what else went wrong. */
  note?: string;
}

interface Stage {
  name: string;
  needs: Need[];
  run: () => Outcome;
}

interface Result extends Outcome {
  name: string;
  seconds: number;
}

const bin = (name: string) => path.resolve("node_modules", ".bin", name);

function run(command: string, args: string[], env: Record<string, string> = {}): boolean {
  return spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } }).status === 0;
}

/** A runner that found nothing to run must not pass silently; its report decides as well as its exit code. */
const judged = (exitOk: boolean, report: StageReport | undefined): Outcome => ({
  ok: exitOk && Boolean(report?.success && report.failed === 0 && report.passed > 0),
  report,
  note: report ? undefined : "the runner wrote no report (see its output above)",
});

function vitestStage(project: "unit" | "integration", needs: Need[]): Stage {
  return {
    name: project,
    needs,
    run: () => {
      const output = path.join(RESULTS, `${project}.json`);
      const reporters = ["--reporter=default", "--reporter=json", `--outputFile.json=${output}`];
      const ok = run(bin("vitest"), ["run", "--project", project, ...reporters]);
      return judged(ok, readVitestReport(output));
    },
  };
}

/** The testbed's own Go unit tests (orchestration, proxy, seed plan). */
const goStage: Stage = {
  name: "go",
  needs: ["go"],
  run: () => {
    const result = spawnSync("go", ["test", "-json", "./internal/..."], {
      cwd: path.resolve("testbed"),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const report = readGoTestJson(result.stdout ?? "");
    process.stdout.write(goFailureOutput(result.stdout ?? ""));
    if (result.stderr) process.stderr.write(result.stderr);
    console.log(`go test: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`);
    return judged(result.status === 0, report);
  },
};

// Set by prepare: the Chromium that started, handed to Playwright.
let chromiumPath: string | undefined;

const STAGES: Stage[] = [
  { name: "typecheck", needs: [], run: () => ({ ok: run(bin("tsc"), ["--noEmit"]) }) },
  { name: "lint", needs: [], run: () => ({ ok: run(bin("eslint"), [".", "--max-warnings=0"]) }) },
  { name: "format", needs: [], run: () => ({ ok: run(bin("prettier"), ["--check", ".", "--log-level=warn"]) }) },
  vitestStage("unit", []),
  goStage,
  vitestStage("integration", ["commands", "go", "testbed", "app"]),
  {
    name: "e2e",
    needs: ["go", "testbed", "app", "browser"],
    run: () => {
      const output = path.join(RESULTS, "e2e.json");
      const env: Record<string, string> = { PLAYWRIGHT_JSON_OUTPUT_NAME: output };
      if (chromiumPath) env.CHROMIUM_PATH = chromiumPath;
      return judged(run(bin("playwright"), ["test"], env), readPlaywrightReport(output));
    },
  },
];

const timed = async <T>(work: () => T | Promise<T>): Promise<{ value: T; seconds: number }> => {
  const started = Date.now();
  const value = await work();
  return { value, seconds: (Date.now() - started) / 1000 };
};

function printSummary(results: Result[], seconds: number): boolean {
  console.log("\n━━━ summary ━━━");
  for (const result of results) {
    const { report } = result;
    const counts = report ? ` ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped` : "";
    const time = `(${result.seconds.toFixed(1)} s)`;
    console.log(`${result.ok ? "PASS" : "FAIL"}  ${result.name.padEnd(12)}${counts}  ${time}`);
    if (result.note) console.log(`      ${result.note}`);
    if (!result.ok && report?.firstFailure) console.log(`      first failure: ${report.firstFailure}`);
    for (const name of report?.flaky ?? []) console.log(`      passed only on retry: ${name}`);
  }
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const { report } of results) {
    total.passed += report?.passed ?? 0;
    total.failed += report?.failed ?? 0;
    total.skipped += report?.skipped ?? 0;
  }
  const failed = results.filter((r) => !r.ok);
  const first = failed.find((r) => r.report?.firstFailure);
  if (first) console.log(`First failing test: ${first.report!.firstFailure}  [${first.name}]`);
  const stageResults = results.filter((r) => r.name !== "prepare");
  const failedStages = stageResults.filter((r) => !r.ok).map((r) => r.name);
  console.log(
    `Tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped; ` +
      `stages: ${stageResults.length - failedStages.length}/${stageResults.length} passed` +
      (failedStages.length ? ` (failed: ${failedStages.join(", ")})` : "") +
      `; ${Math.round(seconds)} s`,
  );
  return failed.length === 0;
}

async function main(): Promise<void> {
  const started = Date.now();
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
  const unknown = wanted.filter((name) => !STAGES.some((stage) => stage.name === name));
  if (unknown.length) {
    console.error(`Unknown stage(s): ${unknown.join(", ")}. Stages: ${STAGES.map((s) => s.name).join(", ")}`);
    process.exit(2);
  }
  const selected = STAGES.filter((s) => wanted.length === 0 || wanted.includes(s.name));
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  ensurePrismaClient();

  const results: Result[] = [];
  const needs = new Set(selected.flatMap((stage) => stage.needs));
  let problems = new Map<Need, string>();
  if (needs.size) {
    console.log("\n━━━ prepare ━━━");
    const prepared = await timed(() => prepare(needs));
    problems = prepared.value.problems;
    chromiumPath = prepared.value.chromiumPath;
    results.push({
      name: "prepare",
      ok: problems.size === 0,
      seconds: prepared.seconds,
      note: [prepared.value.steps.join(", "), ...new Set(problems.values())].join("\n      "),
    });
  }

  for (const stage of selected) {
    const blocker = stage.needs.find((need) => problems.has(need));
    if (blocker) {
      results.push({ name: stage.name, ok: false, seconds: 0, note: `not run: prepare failed (${blocker}, above)` });
      continue;
    }
    console.log(`\n━━━ ${stage.name} ━━━`);
    const { value: outcome, seconds } = await timed(() => {
      try {
        return stage.run();
      } catch (error) {
        return { ok: false, note: error instanceof Error ? error.message : String(error) };
      }
    });
    results.push({ name: stage.name, seconds, ...outcome });
  }
  process.exit(printSummary(results, (Date.now() - started) / 1000) ? 0 : 1);
}

void main();
