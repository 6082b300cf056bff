import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import runtime from "@/lib/cli/server-runtime.json";

/** A real Archipelago server process (as `npm start` runs it), for tests that kill or multiply it. */
export interface AppProcess {
  port: number;
  pid: number;
  logFile: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The exit code once the process has ended (null while running). */
  exitCode(): number | null;
}

/**
 * Starts the server process directly (pid, signals and memory are the server's own), or,
 * with `launcher`, exactly as `npm start` does: through lib/cli/launch.mjs, whose pid it
 * then is. `cwd`: another checkout of the project (a benchmark's baseline build).
 */
export async function startAppProcess(
  port: number,
  env: Record<string, string>,
  options: { launcher?: boolean; cwd?: string } = {},
): Promise<AppProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "archipelago-app-"));
  const logFile = path.join(dir, "server.log");
  const log = createWriteStream(logFile);
  // An empty value removes the variable (e.g. DATABASE_URL to get the embedded default).
  // The process `npm start` runs (lib/cli/launch.mjs), without the launcher in between so
  // that pid, signals and memory are the server's own.
  const childEnv: NodeJS.ProcessEnv = {
    ...runtime.env,
    ...process.env,
    TSX_TSCONFIG_PATH: "tsconfig.scripts.json",
    PORT: String(port),
    HOST: "127.0.0.1",
    ARCHIPELAGO_DATA_DIR: dir,
    LOG_LEVEL: "info",
    ...env,
  };
  for (const [key, value] of Object.entries(childEnv)) if (value === "") delete childEnv[key];
  const args = options.launcher
    ? ["lib/cli/launch.mjs"]
    : [...runtime.nodeFlags, "--import", "tsx", "lib/cli/start.ts"];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: childEnv,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`app on port ${port} exited during start-up; see ${logFile}`);
    if (
      await fetch(`http://127.0.0.1:${port}/api/v1/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (attempt > 600) throw new Error(`app on port ${port} did not start; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    port,
    pid: child.pid!,
    logFile,
    kill: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
    exitCode: () => child.exitCode,
  };
}
