import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

const TESTBED = path.resolve("testbed");
const SCRIPT = path.join(TESTBED, "testbed.sh");
/** What the integration and browser tests use (lib/testing/testbed-clusters.ts, e2e/support/serve.ts). */
const CLUSTERS = 3;

/** The Go the testbed needs, or the one line that says what to install. */
export function checkGo(): string | undefined {
  const need = /^go (\S+)/m.exec(readFileSync(path.join(TESTBED, "go.mod"), "utf8"))?.[1] ?? "1.26";
  const result = spawnSync("go", ["env", "GOVERSION"], {
    encoding: "utf8",
    env: { ...process.env, GOTOOLCHAIN: "local" },
  });
  if (result.error || result.status !== 0)
    return `Go is not installed: the testbed's Kubernetes is built from Go modules; install Go >= ${need} (https://go.dev/doc/install) and put \`go\` on PATH`;
  const have = result.stdout.trim().replace(/^go/, "");
  if (compareVersions(have, need) < 0)
    return `Go ${have} is older than the ${need} that testbed/go.mod needs; install Go >= ${need} (https://go.dev/doc/install)`;
  return undefined;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  const pb = b.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Builds the testbed binaries (testbed.sh build: a no-op when they match the sources). A cold
 * build compiles Kubernetes and prints nothing for minutes, so a line says it is still going.
 */
export async function buildTestbed(): Promise<string | undefined> {
  const started = Date.now();
  const child = spawn("bash", [SCRIPT, "build"], { stdio: "inherit" });
  const heartbeat = setInterval(() => {
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    console.log(
      `prepare: still building the testbed (${minutes} min so far; about 7 min on 2 cores with empty Go caches)`,
    );
  }, 30_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearInterval(heartbeat);
  return code === 0 ? undefined : "the testbed did not build (see the Go output above)";
}

/**
 * Starts the clusters (or finds them running) before any test, so a port conflict or a cluster
 * that cannot start is one line here, not a timeout inside some test's set-up.
 */
export function startTestbed(): string | undefined {
  const base = process.env.TESTBED_BASE_PORT ? ["--base-port", process.env.TESTBED_BASE_PORT] : [];
  const result = spawnSync("bash", [SCRIPT, "up", "--clusters", String(CLUSTERS), ...base], {
    encoding: "utf8",
    timeout: 10 * 60_000,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status === 0) {
    process.stdout.write(output);
    return undefined;
  }
  const inUse = /(testbed-\d+): (.+?) port (\d+) on 127\.0\.0\.1: port already in use/.exec(output);
  if (inUse) {
    const [, cluster, role, port] = inUse;
    return `port ${port} (${role} of ${cluster}) is already in use: stop what listens there (\`ss -ltnp 'sport = :${port}'\`), or give this checkout other ports with TESTBED_BASE_PORT (e.g. TESTBED_BASE_PORT=19443) and its own TESTBED_DIR`;
  }
  process.stderr.write(output);
  if (result.error) return `the testbed did not start within 10 min (${result.error.message}); see ${testbedLogs()}`;
  return `the testbed did not start (see the output above and ${testbedLogs()})`;
}

const testbedLogs = () => path.join(process.env.TESTBED_DIR ?? ".testbed", "testbed-*", "logs");
