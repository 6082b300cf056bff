/**
 * `npm start` / `npm run dev`: runs lib/cli/start.ts in a Node process with the runtime
 * settings of server-runtime.json, through tsx's loader. Plain JavaScript because it runs
 * before any TypeScript loader exists, and because Node reads heap flags and glibc reads
 * MALLOC_ARENA_MAX only when a process starts, so the server cannot set them for itself.
 * It replaces the `tsx` command, which is the same kind of parent process without them.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

const runtime = JSON.parse(readFileSync(new URL("./server-runtime.json", import.meta.url), "utf8"));
const dev = process.argv.includes("--dev");
// Development keeps Node's defaults: the dev compiler wants the memory, and speed matters more there.
const nodeFlags = dev ? [] : runtime.nodeFlags;

const child = spawn(
  process.execPath,
  [...nodeFlags, "--import", "tsx", new URL("./start.ts", import.meta.url).pathname, ...process.argv.slice(2)],
  {
    stdio: "inherit",
    // An operator's own values win.
    env: { ...(dev ? {} : runtime.env), TSX_TSCONFIG_PATH: "tsconfig.scripts.json", ...process.env },
  },
);

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
