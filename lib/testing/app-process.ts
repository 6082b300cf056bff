import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** A real Archipelago server process (as `npm start` runs it), for tests that kill or multiply it. */
export interface AppProcess {
  port: number;
  pid: number;
  logFile: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The exit code once the process has ended (null while running). */
  exitCode(): number | null;
}

export async function startAppProcess(port: number, env: Record<string, string>): Promise<AppProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "archipelago-app-"));
  const logFile = path.join(dir, "server.log");
  const log = createWriteStream(logFile);
  // An empty value removes the variable (e.g. DATABASE_URL to get the embedded default).
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TSX_TSCONFIG_PATH: "tsconfig.scripts.json", PORT: String(port), HOST: "127.0.0.1", ARCHIPELAGO_DATA_DIR: dir, LOG_LEVEL: "info", ...env };
  for (const [key, value] of Object.entries(childEnv)) if (value === "") delete childEnv[key];
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "lib/cli/start.ts"], {
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`app on port ${port} exited during start-up; see ${logFile}`);
    if (await fetch(`http://127.0.0.1:${port}/api/v1/health`).then((r) => r.ok, () => false)) break;
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
