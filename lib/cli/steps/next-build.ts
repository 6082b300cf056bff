import { spawnSync } from "node:child_process";
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

/** `npm start` on a fresh clone must just work, so it builds when the build is missing or stale. */
export function ensureNextBuild({ force = false } = {}): void {
  if (!force && existsSync(BUILD_ID)) {
    const built = statSync(BUILD_ID).mtimeMs;
    if (SOURCES.every((source) => newestMtime(path.resolve(source)) <= built)) return;
  }
  console.log("Building Archipelago (first start or sources changed)…");
  const result = spawnSync(process.execPath, [require.resolve("next/dist/bin/next"), "build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("next build failed (see output above)");
}
