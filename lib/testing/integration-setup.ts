import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { disconnectDb } from "@/lib/server/db/client";
import { resetEnvForTests } from "@/lib/server/config/env";
import { resetKeyring } from "@/lib/server/crypto/master-keyring";
import { stopCollectorsInProcess } from "@/lib/server/inventory/collectors/supervisor";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { copyDatabase } from "./test-database";

// Each test file runs in its own process (vitest.config.ts) on its own copy of the migrated
// template database, dropped when the file ends: no row one file writes (or leaves behind
// when its set-up fails half-way) is visible to another file.
const database = await copyDatabase(inject("templateDatabaseUrl"), "file");
process.env.DATABASE_URL = database.url;
// A fresh master key per file run: tests never touch a real key.
process.env.ARCHIPELAGO_MASTER_KEY ??= randomBytes(32).toString("base64");
resetEnvForTests();
resetKeyring();

afterAll(async () => {
  await stopCollectorsInProcess();
  forgetAllTransports();
  await disconnectDb();
  await database.dispose();
});
