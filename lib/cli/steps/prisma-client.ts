import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";

const SCHEMA = path.resolve("prisma", "schema.prisma");
const GENERATED = path.resolve("lib", "generated", "prisma", "client.ts");

/**
 * Generates the Prisma client when it is missing or older than the schema. Generation
 * does not use the schema engine, but the CLI insists the engine binary exists; where it
 * cannot be downloaded we point it at any existing file (see README, "Prisma offline").
 */
export function ensurePrismaClient({ force = false } = {}): void {
  if (!force && existsSync(GENERATED) && statSync(GENERATED).mtimeMs >= statSync(SCHEMA).mtimeMs) return;
  const result = spawnSync(process.execPath, [require.resolve("prisma/build/index.js"), "generate"], {
    stdio: "inherit",
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath },
  });
  if (result.status !== 0) throw new Error("prisma generate failed (see output above)");
}
