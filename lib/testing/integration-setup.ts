import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { disconnectDb } from "@/lib/server/db/client";
import { resetEnvForTests } from "@/lib/server/config/env";
import { resetKeyring } from "@/lib/server/crypto/master-keyring";
import { stopAllReflectors } from "@/lib/server/inventory/cache";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";

process.env.DATABASE_URL = inject("databaseUrl");
// A fresh master key per file run: tests never touch a real key.
process.env.ARCHIPELAGO_MASTER_KEY ??= randomBytes(32).toString("base64");
resetEnvForTests();
resetKeyring();

afterAll(async () => {
  stopAllReflectors();
  forgetAllTransports();
  await disconnectDb();
});
