import type { TestProject } from "vitest/node";
import { createTestDatabase } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/** One real Postgres for the whole integration run. */
export default async function setup(project: TestProject) {
  const database = await createTestDatabase("it");
  project.provide("databaseUrl", database.url);
  return async () => {
    await database.dispose();
  };
}
