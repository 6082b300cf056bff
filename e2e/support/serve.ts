/**
 * Starts the real app for the browser tests, exactly as `npm start` does, against a fresh
 * database: with DATABASE_URL unset it runs the embedded default under .e2e/data (the
 * path new users take); with DATABASE_URL set it creates a new database on that (local)
 * server. The testbed clusters are started first. Everything the server prints is also
 * written to .e2e/server.log, so specs can prove what never appears in logs.
 */
import { spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createTestDatabase, freePort } from "@/lib/testing/test-database";
import { ensureTestbed } from "@/testbed/harness";
import { E2E_DATABASE_URL_FILE, E2E_PORT, E2E_SERVER_LOG, E2E_STATE_DIR } from "./paths";

async function main(): Promise<void> {
  await rm(E2E_STATE_DIR, { recursive: true, force: true });
  await mkdir(E2E_STATE_DIR, { recursive: true });
  await ensureTestbed({ clusters: 3, timeoutMs: 15 * 60_000 });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(E2E_PORT),
    HOST: "127.0.0.1",
    // Many tests sign in from 127.0.0.1; the address limit is covered by integration tests.
    ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS: process.env.ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS ?? "200",
    // Fast health checks so the browser sees a stopped cluster turn red within seconds.
    ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: "2",
    ARCHIPELAGO_CLUSTER_TIMEOUT_MS: "2000",
  };
  let dispose: (() => Promise<void>) | undefined;
  if (process.env.DATABASE_URL) {
    const database = await createTestDatabase("e2e");
    env.DATABASE_URL = database.url;
    env.ARCHIPELAGO_MASTER_KEY ??= "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    await writeFile(E2E_DATABASE_URL_FILE, database.url);
    dispose = database.dispose;
  } else {
    const dataDir = path.join(E2E_STATE_DIR, "data");
    const pgPort = await freePort();
    env.ARCHIPELAGO_DATA_DIR = dataDir;
    env.ARCHIPELAGO_EMBEDDED_PG_PORT = String(pgPort);
    void writeUrlOnceReady(dataDir, pgPort);
  }

  const log = createWriteStream(E2E_SERVER_LOG);
  const child = spawn(process.execPath, ["lib/cli/launch.mjs"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    log.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    log.write(chunk);
  });
  const stop = (signal: NodeJS.Signals) => child.kill(signal);
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  child.once("exit", (code) => {
    log.end();
    void (dispose?.() ?? Promise.resolve()).finally(() => process.exit(code ?? 0));
  });
}

/** The embedded password appears once the app has initialised its data dir. */
async function writeUrlOnceReady(dataDir: string, port: number): Promise<void> {
  const file = path.join(dataDir, "postgres.password");
  for (let attempt = 0; attempt < 600; attempt += 1) {
    try {
      const password = readFileSync(file, "utf8").trim();
      await writeFile(
        E2E_DATABASE_URL_FILE,
        `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/archipelago`,
      );
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
