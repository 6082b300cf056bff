import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "@/lib/server/db/embedded";
import { migrate } from "@/lib/server/db/migrate";

/**
 * A fresh, migrated database for one test run: a new database on DATABASE_URL's server
 * when it is set (refusing non-local servers unless explicitly allowed), else a
 * throwaway embedded Postgres in a temp dir on a free port.
 */
export interface TestDatabase {
  url: string;
  dispose(): Promise<void>;
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) return createOnServer(external, label);

  const dataDir = await mkdtemp(path.join(os.tmpdir(), `archipelago-${label}-`));
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    database: "archipelago",
    log: () => undefined,
  });
  await migrate(embedded.url);
  return {
    url: embedded.url,
    dispose: async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function createOnServer(serverUrl: string, label: string): Promise<TestDatabase> {
  assertLocal(serverUrl);
  const name = `archipelago_${label}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return {
    url: url.toString(),
    dispose: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Tests create and drop databases: never point them at a shared server by accident. */
function assertLocal(serverUrl: string): void {
  const host = new URL(serverUrl).hostname;
  if (
    ["localhost", "127.0.0.1", "::1", "[::1]"].includes(host) ||
    process.env.ARCHIPELAGO_TESTS_ALLOW_REMOTE_DB === "1"
  )
    return;
  throw new Error(
    `Refusing to run tests against non-local database host ${host}; set ARCHIPELAGO_TESTS_ALLOW_REMOTE_DB=1 to override.`,
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** An empty database on the same server as `baseUrl`, for tests that need a blank slate. */
export function createScratchDatabase(baseUrl: string, label: string): Promise<TestDatabase> {
  return newDatabaseBeside(baseUrl, `scratch_${label}`, "");
}

/** A copy of the (migrated, unused) database at `templateUrl`, on the same server: milliseconds, not a migration run. */
export function copyDatabase(templateUrl: string, label: string): Promise<TestDatabase> {
  const template = decodeURIComponent(new URL(templateUrl).pathname.slice(1));
  return newDatabaseBeside(templateUrl, label, template);
}

async function newDatabaseBeside(baseUrl: string, label: string, template: string): Promise<TestDatabase> {
  const name = `${label}_${randomBytes(4).toString("hex")}`;
  const adminUrl = new URL(baseUrl);
  adminUrl.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    const from = template ? ` TEMPLATE ${admin.escapeIdentifier(template)}` : "";
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}${from}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dispose: async () => {
      const client = new pg.Client({ connectionString: adminUrl.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      await client.end();
    },
  };
}
