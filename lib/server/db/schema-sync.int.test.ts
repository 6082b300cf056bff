import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { diffSchemasToSql } from "@/lib/cli/steps/prisma-legacy-diff";
import { schemaSnapshot } from "@/lib/testing/schema-snapshot";
import { createScratchDatabase, type TestDatabase } from "@/lib/testing/test-database";

let scratch: TestDatabase | undefined;
afterAll(async () => {
  await scratch?.dispose();
});

describe("prisma/schema.prisma and prisma/migrations", () => {
  it("describe the same database (a schema change without its migration fails here)", async () => {
    const migratedUrl = process.env.DATABASE_URL!;
    scratch = await createScratchDatabase(migratedUrl, "schema");
    const schema = readFileSync(path.resolve("prisma", "schema.prisma"), "utf8");
    const sql = diffSchemasToSql({ fromSchema: null, toSchema: schema, databaseUrl: scratch.url });

    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query(sql);
    await client.end();

    expect(await schemaSnapshot(migratedUrl)).toEqual(await schemaSnapshot(scratch.url));
  });
});
