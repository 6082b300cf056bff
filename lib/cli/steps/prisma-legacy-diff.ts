import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * SQL for the difference between two Prisma schemas, computed by Prisma's own schema
 * engine. Prisma 7's CLI needs a native engine that cannot be downloaded everywhere, so
 * this drives the Prisma 6.19 CLI (devDependency `prisma-legacy`) in its WASM mode, which
 * runs offline but must connect to some Postgres through a driver adapter (any database;
 * a datamodel-to-datamodel diff never reads it). Used by `npm run db:new-migration` and
 * by the test that proves migrations and schema.prisma agree.
 */
export interface DiffInput {
  /** Schema text to diff from; null means an empty database. */
  fromSchema: string | null;
  toSchema: string;
  /** Any reachable Postgres; required by the adapter, not read. */
  databaseUrl: string;
}

/** Prisma 6 wants `url` in the datasource and its own generator name; the model is unchanged. */
export function toLegacySchema(schema: string): string {
  return schema
    .replace(/provider\s*=\s*"prisma-client"/, 'provider = "prisma-client-js"')
    .replace(/^\s*(output|moduleFormat)\s*=.*$/gm, "")
    .replace(/(datasource\s+\w+\s*\{[^}]*provider\s*=\s*"postgresql")/, '$1\n  url = env("DATABASE_URL")');
}

export function diffSchemasToSql(input: DiffInput): string {
  const cacheRoot = path.resolve("node_modules", ".cache", "archipelago");
  mkdirSync(cacheRoot, { recursive: true });
  // Inside node_modules so the config file resolves our dependencies.
  const dir = mkdtempSync(path.join(cacheRoot, "prisma-diff-"));
  try {
    writeFileSync(path.join(dir, "to.prisma"), toLegacySchema(input.toSchema));
    if (input.fromSchema !== null) writeFileSync(path.join(dir, "from.prisma"), toLegacySchema(input.fromSchema));
    writeFileSync(
      path.join(dir, "prisma.config.ts"),
      `import { defineConfig } from "prisma-legacy/config";
import { PrismaPg } from "prisma-legacy-adapter-pg";
export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: "to.prisma",
  async adapter() { return new PrismaPg({ connectionString: process.env.DATABASE_URL }); },
});
`,
    );
    const from = input.fromSchema === null ? ["--from-empty"] : ["--from-schema-datamodel", "from.prisma"];
    const result = spawnSync(
      process.execPath,
      [
        require.resolve("prisma-legacy/build/index.js"),
        "migrate",
        "diff",
        "--config",
        "prisma.config.ts",
        ...from,
        "--to-schema-datamodel",
        "to.prisma",
        "--script",
      ],
      {
        cwd: dir,
        encoding: "utf8",
        env: {
          ...process.env,
          DATABASE_URL: input.databaseUrl,
          // Never used in WASM mode, but the CLI checks that they exist instead of downloading them.
          PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
          PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
          PRISMA_HIDE_UPDATE_MESSAGE: "1",
        },
      },
    );
    if (result.status !== 0) throw new Error(`prisma migrate diff failed:\n${result.stderr || result.stdout}`);
    return result.stdout
      .split("\n")
      .filter((line) => !/^Loaded Prisma config/.test(line))
      .join("\n")
      .replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, "")
      .trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
