/**
 * For embedded.int.test.ts: starts and stops an embedded Postgres, then ends with exit code 3
 * the way a failed test run does (process.exitCode, no process.exit), which the library's
 * exit hook used to turn into 0.
 */
import { startEmbeddedPostgres } from "@/lib/server/db/embedded";

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const database = await startEmbeddedPostgres({ dataDir: dataDir!, port: Number(port), database: "x", log: () => {} });
  await database.stop();
  process.exitCode = 3;
}

void main();
