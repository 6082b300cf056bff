/**
 * Starts the real app for the browser tests, exactly as `npm start` does, against a fresh
 * database: with DATABASE_URL unset it runs the embedded default under .e2e/data (the
 * path new users take); with DATABASE_URL set it creates a new database on that (local)
 * server. The database URL is written for specs that need to inspect or age rows.
 */
import { readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createTestDatabase, freePort } from "@/lib/testing/test-database";
import { E2E_DATABASE_URL_FILE, E2E_PORT, E2E_STATE_DIR } from "./paths";

async function main(): Promise<void> {
  await rm(E2E_STATE_DIR, { recursive: true, force: true });
  await mkdir(E2E_STATE_DIR, { recursive: true });

  process.env.PORT = String(E2E_PORT);
  process.env.HOST = "127.0.0.1";
  // Many tests sign in from 127.0.0.1; the address limit is covered by integration tests.
  process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS ??= "200";

  if (process.env.DATABASE_URL) {
    const database = await createTestDatabase("e2e");
    process.env.DATABASE_URL = database.url;
    await writeFile(E2E_DATABASE_URL_FILE, database.url);
    const cleanUp = () => void database.dispose().finally(() => process.exit(0));
    process.once("SIGTERM", cleanUp);
  } else {
    const dataDir = path.join(E2E_STATE_DIR, "data");
    const pgPort = await freePort();
    process.env.ARCHIPELAGO_DATA_DIR = dataDir;
    process.env.ARCHIPELAGO_EMBEDDED_PG_PORT = String(pgPort);
    void writeUrlOnceReady(dataDir, pgPort);
  }
  await import("@/lib/cli/start");
}

/** The embedded password appears once the app has initialised its data dir. */
async function writeUrlOnceReady(dataDir: string, port: number): Promise<void> {
  const file = path.join(dataDir, "postgres.password");
  for (let attempt = 0; attempt < 600; attempt += 1) {
    try {
      const password = readFileSync(file, "utf8").trim();
      await writeFile(E2E_DATABASE_URL_FILE, `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/archipelago`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
