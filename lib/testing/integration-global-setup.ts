import type { TestProject } from "vitest/node";
import { createTestDatabase } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated database that no test uses: each test file gets its own copy (integration-setup.ts). */
    templateDatabaseUrl: string;
  }
}

/** One real Postgres for the whole integration run, holding the migrated template of every file's database. */
export default async function setup(project: TestProject) {
  const database = await createTestDatabase("it");
  project.provide("templateDatabaseUrl", database.url);
  return async () => {
    await database.dispose();
  };
}
