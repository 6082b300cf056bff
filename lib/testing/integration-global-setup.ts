import type { TestProject } from "vitest/node";
import { runTestbed } from "@/testbed/harness";
import { createTestDatabase } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated database that no test uses: each test file gets its own copy (integration-setup.ts). */
    templateDatabaseUrl: string;
  }
}

/** One real Postgres for the whole integration run, holding the migrated template of every file's database. */
export default async function setup(project: TestProject) {
  // The testbed binaries are built here, outside any test's timeout, also when vitest runs without
  // `npm test` (which has built them already: then this is a hash check). A cold build takes minutes.
  await runTestbed(["build"], { timeoutMs: 60 * 60_000 });
  const database = await createTestDatabase("it");
  project.provide("templateDatabaseUrl", database.url);
  return async () => {
    await database.dispose();
  };
}
