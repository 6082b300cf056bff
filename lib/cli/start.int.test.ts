import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureNextBuild } from "@/lib/cli/steps/next-build";
import { startAppProcess } from "@/lib/testing/app-process";

/**
 * The README's first command on a fresh machine: no DATABASE_URL, so an embedded Postgres
 * under the data dir; SIGTERM stops the server and the database cleanly.
 */
describe("npm start with the embedded default", () => {
  it("serves with an embedded database and shuts it down cleanly on SIGTERM", async () => {
    ensureNextBuild();
    const app = await startAppProcess(3620, { DATABASE_URL: "", ARCHIPELAGO_MASTER_KEY: "", ARCHIPELAGO_EMBEDDED_PG_PORT: "54620", ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: "3600" });
    const dataDir = path.dirname(app.logFile);
    const setup = (await (await fetch(`http://127.0.0.1:${app.port}/api/v1/setup`)).json()) as { needsSetup: boolean };
    expect(setup.needsSetup).toBe(true);
    expect(existsSync(path.join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(true);
    // A master key was generated for the embedded default.
    expect(existsSync(path.join(dataDir, "master.key"))).toBe(true);

    await app.kill("SIGTERM");
    expect(app.exitCode()).toBe(0);
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
  }, 600_000);
});
