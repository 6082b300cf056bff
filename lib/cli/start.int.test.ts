import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { ensureNextBuildInBackground } from "@/lib/cli/steps/next-build";
import runtime from "@/lib/cli/server-runtime.json";
import { startAppProcess } from "@/lib/testing/app-process";
import { freePort } from "@/lib/testing/test-database";

/**
 * The README's first command on a fresh machine: no DATABASE_URL, so an embedded Postgres
 * under the data dir; SIGTERM stops the server and the database cleanly.
 */
describe("npm start with the embedded default", () => {
  it("serves with an embedded database and shuts it down cleanly on SIGTERM", async () => {
    await ensureNextBuildInBackground();
    const pgPort = await freePort();
    const app = await startAppProcess(
      await freePort(),
      {
        DATABASE_URL: "",
        ARCHIPELAGO_MASTER_KEY: "",
        ARCHIPELAGO_EMBEDDED_PG_PORT: String(pgPort),
        ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: "3600",
        MALLOC_ARENA_MAX: "",
      },
      { launcher: true },
    );
    const dataDir = path.dirname(app.logFile);

    // The launcher's one child is the server, running with the measured runtime settings.
    const serverPid = readFileSync(`/proc/${app.pid}/task/${app.pid}/children`, "utf8").trim();
    expect(serverPid).toMatch(/^\d+$/);
    const argv = readFileSync(`/proc/${serverPid}/cmdline`, "utf8").split("\0");
    for (const flag of runtime.nodeFlags) expect(argv).toContain(flag);
    expect(argv.some((arg) => arg.endsWith("lib/cli/start.ts"))).toBe(true);
    expect(readFileSync(`/proc/${serverPid}/environ`, "utf8").split("\0")).toContain(
      `MALLOC_ARENA_MAX=${runtime.env.MALLOC_ARENA_MAX}`,
    );

    const setup = (await (await fetch(`http://127.0.0.1:${app.port}/api/v1/setup`)).json()) as { needsSetup: boolean };
    expect(setup.needsSetup).toBe(true);
    // The operator endpoints answer in the real server, before any sign-in (README, "Operating it").
    for (const [path, status] of [
      ["/livez", 200],
      ["/readyz", 200],
      ["/metrics", 404],
    ] as const)
      expect((await fetch(`http://127.0.0.1:${app.port}${path}`, { redirect: "manual" })).status, path).toBe(status);
    expect(existsSync(path.join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(true);
    // A master key was generated for the embedded default.
    expect(existsSync(path.join(dataDir, "master.key"))).toBe(true);

    // Issue 12: the server runs as a role that is no superuser and owns no table.
    const password = readFileSync(path.join(dataDir, "postgres.password"), "utf8").trim();
    const owner = new pg.Client({
      connectionString: `postgresql://postgres:${password}@127.0.0.1:${pgPort}/archipelago`,
    });
    await owner.connect();
    try {
      const sessions = await owner.query<{ usename: string; usesuper: boolean }>(
        `SELECT u.usename, u.usesuper FROM pg_stat_activity a JOIN pg_user u ON u.usesysid = a.usesysid
          WHERE a.datname = 'archipelago' AND a.pid <> pg_backend_pid()`,
      );
      expect(sessions.rows.length).toBeGreaterThan(0);
      expect(new Set(sessions.rows.map((row) => `${row.usename} superuser=${row.usesuper}`))).toEqual(
        new Set(["archipelago_app superuser=false"]),
      );
      const owned = await owner.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'archipelago_app'",
      );
      expect(owned.rows).toEqual([]);
    } finally {
      await owner.end();
    }
    const appPassword = readFileSync(path.join(dataDir, "app.password"), "utf8").trim();
    const app_ = new pg.Client({
      connectionString: `postgresql://archipelago_app:${appPassword}@127.0.0.1:${pgPort}/archipelago`,
    });
    await app_.connect();
    try {
      for (const sql of [
        "UPDATE audit_events SET action = 'x'",
        "DELETE FROM audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "UPDATE sealed_keys SET name = 'x'",
        "CREATE SCHEMA sneaky",
      ])
        await expect(app_.query(sql), sql).rejects.toThrow(/permission denied|must be owner/);
    } finally {
      await app_.end();
    }

    // audit:verify runs against the embedded database while the server uses it.
    const setupAnswer = await fetch(`http://127.0.0.1:${app.port}/api/v1/setup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://127.0.0.1:${app.port}` },
      body: JSON.stringify({ email: "first@example.com", name: "First", password: "a long enough password" }),
    });
    expect(setupAnswer.status).toBe(201);
    const verify = (...args: string[]) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        TSX_TSCONFIG_PATH: "tsconfig.scripts.json",
        ARCHIPELAGO_DATA_DIR: dataDir,
        LOG_LEVEL: "warn",
      };
      delete env.DATABASE_URL;
      delete env.ARCHIPELAGO_MASTER_KEY;
      // Asynchronously: a synchronous child would block the test worker's own messaging.
      return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          ["--import", "tsx", "lib/cli/audit-verify.ts", ...args],
          { env, encoding: "utf8" },
          (error, stdout, stderr) =>
            resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
        ),
      );
    };
    const first = await verify();
    expect(first.status, first.stderr).toBe(0);
    const head = /head (v2:[0-9a-f]{64})/.exec(first.stdout)?.[1];
    expect(head, first.stdout).toBeDefined();
    expect(first.stdout).toMatch(/[1-9]\d* audit rows checked, 0 problem\(s\)/);
    const same = await verify("--expect-head", head!);
    expect(same.status).toBe(0);
    expect(same.stdout).toContain("the expected head is still the newest row");
    const unknown = await verify("--expect-head", `v2:${"0".repeat(64)}`);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("no row has the expected head hash");

    await app.kill("SIGTERM");
    expect(app.exitCode()).toBe(0);
    expect(existsSync(`/proc/${serverPid}`)).toBe(false);
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
  }, 600_000);
});
