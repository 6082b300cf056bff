/**
 * `npm run db:new-migration -- <name> [--from <git-ref>]`: writes the SQL that takes the
 * schema at <git-ref> (default HEAD) to the working prisma/schema.prisma into a new
 * prisma/migrations/<timestamp>_<name>/migration.sql. Run it before committing a schema
 * change. With normal internet, `prisma migrate dev` does the same job.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { diffSchemasToSql } from "./steps/prisma-legacy-diff";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const fromIndex = args.indexOf("--from");
  const ref = fromIndex >= 0 ? args[fromIndex + 1] : "HEAD";
  const name = args.find((arg, index) => !arg.startsWith("--") && (fromIndex < 0 || index !== fromIndex + 1));
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error("Usage: npm run db:new-migration -- <name_in_snake_case> [--from <git-ref>]");
  }
  const fromSchema = execFileSync("git", ["show", `${ref}:prisma/schema.prisma`], { encoding: "utf8" });
  const toSchema = readFileSync(path.resolve("prisma", "schema.prisma"), "utf8");

  const { openDatabase } = await import("@/lib/server/runtime/database");
  const database = await openDatabase();
  try {
    const sql = diffSchemasToSql({ fromSchema, toSchema, databaseUrl: database.ownerUrl });
    if (/^-- This is an empty migration\.?$/.test(sql)) {
      console.log(`No schema changes since ${ref}.`);
      return;
    }
    const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
    const dir = path.resolve("prisma", "migrations", `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), `${sql}\n`);
    console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql — review it, then run npm run db:migrate.`);
  } finally {
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
