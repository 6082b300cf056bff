import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const BUILD_ID = path.resolve(".next", "BUILD_ID");
const SOURCES = [
  "app",
  "components",
  "lib",
  "public",
  "prisma/schema.prisma",
  "next.config.js",
  "package-lock.json",
  "postcss.config.mjs",
];
const IGNORED = new Set(["generated", "node_modules", "cli"]);

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (IGNORED.has(entry) || entry.endsWith(".test.ts")) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

function buildIsCurrent(): boolean {
  if (!existsSync(BUILD_ID)) return false;
  const built = statSync(BUILD_ID).mtimeMs;
  return SOURCES.every((source) => newestMtime(path.resolve(source)) <= built);
}

const buildArgs = () => [require.resolve("next/dist/bin/next"), "build"];
const buildEnv = (): NodeJS.ProcessEnv => ({ ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" });

/** `npm start` on a fresh clone must just work, so it builds when the build is missing or stale. */
export function ensureNextBuild({ force = false } = {}): void {
  if (!force && buildIsCurrent()) return;
  console.log("Building Archipelago (first start or sources changed)…");
  const result = spawnSync(process.execPath, buildArgs(), { stdio: "inherit", env: buildEnv() });
  if (result.status !== 0) throw new Error("next build failed (see output above)");
}

/**
 * The same, without blocking the event loop: for test set-up, where a minute-long synchronous
 * build starves the test runner's own messages (vitest fails the run on their timeout).
 * `npm test` builds before any test starts, so there this finds the build current.
 */
export async function ensureNextBuildInBackground(): Promise<void> {
  if (buildIsCurrent()) return;
  const child = spawn(process.execPath, buildArgs(), { stdio: "inherit", env: buildEnv() });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error("next build failed (see output above)");
}
