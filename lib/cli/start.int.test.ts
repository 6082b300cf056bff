import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
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
    const app = await startAppProcess(
      await freePort(),
      {
        DATABASE_URL: "",
        ARCHIPELAGO_MASTER_KEY: "",
        ARCHIPELAGO_EMBEDDED_PG_PORT: String(await freePort()),
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
    expect(existsSync(path.join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(true);
    // A master key was generated for the embedded default.
    expect(existsSync(path.join(dataDir, "master.key"))).toBe(true);

    await app.kill("SIGTERM");
    expect(app.exitCode()).toBe(0);
    expect(existsSync(`/proc/${serverPid}`)).toBe(false);
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
  }, 600_000);
});
