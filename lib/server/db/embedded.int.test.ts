import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@/lib/testing/test-database";
import { startEmbeddedPostgres } from "./embedded";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function run(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("embedded Postgres", () => {
  it("keeps its data across a stop and restart, and refuses a second server on the same data", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "archipelago-embedded-"));
    dirs.push(dataDir);
    const port = await freePort();
    const options = { dataDir, port, database: "archipelago", log: () => undefined };

    const first = await startEmbeddedPostgres(options);
    await run(first.url, "CREATE TABLE marker (value text); INSERT INTO marker VALUES ('survives')");
    await expect(startEmbeddedPostgres({ ...options, port: await freePort() })).rejects.toThrow(/already running/);
    await first.stop();

    const second = await startEmbeddedPostgres(options);
    try {
      expect(await run(second.url, "SELECT value FROM marker")).toEqual([{ value: "survives" }]);
      const [encoding] = await run(second.url, "SHOW server_encoding");
      expect(encoding).toEqual({ server_encoding: "UTF8" });
    } finally {
      await second.stop();
    }
  });

  it("leaves the exit code of the process that used it alone (a failed test run must not exit 0)", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "archipelago-embedded-exit-"));
    dirs.push(dataDir);
    const result = spawnSync(
      path.resolve("node_modules/.bin/tsx"),
      [
        "--tsconfig",
        "tsconfig.scripts.json",
        "lib/testing/scripts/embedded-exit-code.ts",
        dataDir,
        String(await freePort()),
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(3);
  });
});
