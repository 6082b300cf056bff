/**
 * Shared pieces of the benchmarks: start Archipelago as `npm start` would (fresh embedded
 * database), sign in, register testbed clusters, time things.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startAppProcess } from "@/lib/testing/app-process";

export interface RunningApp {
  baseUrl: string;
  pid: number;
  token: string;
  stop(): Promise<void>;
}

const ADMIN = { email: "bench@example.com", password: "benchmark password 123" };

/** `cwd`: start the server from another checkout (a baseline build of an earlier commit). */
export async function startApp(port: number, extraEnv: Record<string, string> = {}, cwd?: string): Promise<RunningApp> {
  const app = await startAppProcess(
    port,
    {
      ARCHIPELAGO_EMBEDDED_PG_PORT: String(port + 1000),
      ARCHIPELAGO_ADMIN_EMAIL: ADMIN.email,
      ARCHIPELAGO_ADMIN_PASSWORD: ADMIN.password,
      ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: "60",
      LOG_LEVEL: "warn",
      ...extraEnv,
    },
    { cwd },
  );
  const baseUrl = `http://127.0.0.1:${app.port}`;
  const signIn = await fetch(`${baseUrl}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify(ADMIN),
  });
  const cookie = signIn.headers.get("set-cookie")?.split(";")[0] ?? "";
  const created = await fetch(`${baseUrl}/api/v1/me/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl, cookie },
    body: JSON.stringify({ name: "bench", expiresInDays: 1 }),
  });
  const { token } = (await created.json()) as { token: string };
  return {
    baseUrl,
    pid: app.pid,
    token,
    stop: () => app.kill("SIGTERM"),
  };
}

export async function apiCall<T>(app: RunningApp, method: string, pathname: string, body?: unknown): Promise<T> {
  const response = await fetch(`${app.baseUrl}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${app.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? null : await response.json()) as T;
}

/** Registers kubeconfig contexts; a `{ context, name }` registers one context under another name (again). */
export async function registerTestbed(
  app: RunningApp,
  kubeconfigPath: string,
  names: Array<string | { context: string; name: string }>,
): Promise<Record<string, string>> {
  const { clusters } = await apiCall<{ clusters: Array<{ id: string; name: string }> }>(
    app,
    "POST",
    "/api/v1/clusters/import",
    {
      kubeconfig: readFileSync(kubeconfigPath, "utf8"),
      contexts: names.map((entry) => (typeof entry === "string" ? { context: entry, name: entry } : entry)),
    },
  );
  return Object.fromEntries(clusters.map((c) => [c.name, c.id]));
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export function parseArgs(defaults: Record<string, number | boolean>): Record<string, number | boolean> {
  const args = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    const key = argv[i]!.replace(/^--/, "");
    if (!(key in args))
      throw new Error(
        `unknown option --${key}; options: ${Object.keys(defaults)
          .map((k) => `--${k}`)
          .join(" ")}`,
      );
    if (typeof args[key] === "boolean") args[key] = true;
    else args[key] = Number(argv[++i]);
  }
  return args;
}

/** Prints the results and keeps them in .bench/<name>.json for the README. */
export function reportResults(name: string, results: Record<string, unknown>): void {
  const out = path.resolve(".bench");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results));
}

/** Runs a benchmark's main and exits non-zero when it fails. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
