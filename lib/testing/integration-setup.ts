import { afterAll, inject } from "vitest";
import { disconnectDb } from "@/lib/server/db/client";
import { resetEnvForTests } from "@/lib/server/config/env";

process.env.DATABASE_URL = inject("databaseUrl");
resetEnvForTests();

afterAll(async () => {
  await disconnectDb();
});
