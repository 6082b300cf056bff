/**
 * Test helper for the testbed: starts the clusters once per test run (or reuses
 * running ones) and drives their fault proxies. Node built-ins only, so any
 * test runner or script can import it.
 *
 *   const tb = await ensureTestbed({ clusters: 3 });
 *   kc.loadFromFile(tb.kubeconfigPath); kc.setCurrentContext(tb.clusters[0].context);
 *   await fault("testbed-2", "hang"); ... await fault("testbed-2", "resume");
 *
 * With aliases (`ensureTestbed({ clusters: 2, aliases: 3 })`) each real cluster is also reachable
 * under more names (testbed-1-a2, testbed-1-a3), each its own proxy, context and user: `tb.aliases`.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

// __dirname, not import.meta: Playwright loads specs (and this file) as CommonJS.
const repoRoot = path.resolve(__dirname, "..");
const script = path.join(repoRoot, "testbed", "testbed.sh");

/** The state folder: TESTBED_DIR, or <repo>/.testbed as testbed.sh defaults. */
export const testbedDir = process.env.TESTBED_DIR ?? path.join(repoRoot, ".testbed");

export type FaultMode = "stop" | "hang" | "slow" | "resume";

export interface TestbedCluster {
  /** testbed-N: the cluster name and its admin context. */
  name: string;
  /** Context of the admin user (static bearer token, system:masters). */
  context: string;
  /** Context of the client-certificate user (CN=testbed-cert-admin, O=system:masters). */
  certContext: string;
  /** Context of the user limited to namespace `team-a` (edit rights there, nothing elsewhere). */
  scopedContext: string;
  /** The URL clients use: the cluster's fault proxy. */
  server: string;
  /** Folder with ca.crt, admin.token, scoped.token, cert-user.crt, cert-user.key and logs/. */
  dir: string;
  /** Every name this cluster answers under, its own first (alias 1): one real API server behind all. */
  aliases: TestbedAlias[];
}

/**
 * One name of a real cluster: its own fault proxy, kubeconfig context and admin user, in front of the
 * same API server as the cluster's other names. Alias 1 is the cluster itself (context testbed-N,
 * user testbed-admin); alias k >= 2 is testbed-N-aK with user testbed-N-aK-admin.
 */
export interface TestbedAlias {
  /** testbed-N (alias 1) or testbed-N-aK: the alias's cluster and context name, and its fault target. */
  name: string;
  /** Admin context of this alias in the kubeconfig (same as name). */
  context: string;
  /** The real cluster behind it (testbed-N): its audit log, data and API server. */
  cluster: string;
  /** 1..10 */
  k: number;
  /** The URL clients use: this alias's own fault proxy. */
  server: string;
  /** The user its token authenticates as: what the cluster's audit log records for calls through it. */
  user: string;
}

export interface Testbed {
  kubeconfigPath: string;
  /** Admin contexts, one per real cluster: testbed-1..N. */
  contexts: string[];
  clusters: TestbedCluster[];
  /** Every name of every cluster (clusters x aliases), ordered by cluster then alias. */
  aliases: TestbedAlias[];
  dir: string;
}

/** One alias as `testbed status --json` prints it. */
interface AliasEntry {
  name: string;
  k: number;
  server: string;
  context: string;
  user: string;
  fault: string;
  down?: boolean;
}

/** One cluster as `testbed status --json` prints it. */
interface StatusEntry {
  name: string;
  server: string;
  fault: string;
  ready: boolean;
  down?: string[];
  /** Absent when the CLI predates aliases. */
  aliases?: AliasEntry[];
}

/** The namespace the scoped user may use. */
export const scopedNamespace = "team-a";

/** Pods with this label set to "true" never become Ready (kwok keeps them in CrashLoopBackOff). */
export const failLabel = "testbed.archipelago.dev/fail";

/** Label on every object `seed` creates. */
export const seededLabel = "testbed.archipelago.dev/seeded";

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [script, ...args],
      {
        cwd: repoRoot,
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, TESTBED_DIR: testbedDir },
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`testbed ${args.join(" ")} did not run: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** Runs testbed.sh; rejects with its output when it exits non-zero. */
export async function runTestbed(args: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  const result = await run(args, opts.timeoutMs ?? 15 * 60_000);
  if (result.code !== 0) {
    throw new Error(`testbed ${args.join(" ")} exited with ${result.code}:\n${result.stdout}${result.stderr}`);
  }
  return result;
}

let started: Promise<Testbed> | undefined;
let startedWith = 0;
let startedAliases = 1;

/**
 * Starts `clusters` clusters unless they already run, each reachable under `aliases` names (default 1:
 * its own only; see testbed/README.md, "Aliases"), ends any fault left on them (and their aliases) by
 * an earlier run, and returns where to find them. The first call builds the binaries when needed
 * (minutes on a cold Go cache; `npm test` builds and starts them before any test). Later calls in the
 * same process reuse the result unless they ask for more clusters or aliases.
 */
export function ensureTestbed(
  opts: { clusters?: number; aliases?: number; timeoutMs?: number } = {},
): Promise<Testbed> {
  const clusters = opts.clusters ?? 3;
  const aliases = opts.aliases ?? 1;
  if (!started || clusters > startedWith || aliases > startedAliases) {
    startedWith = Math.max(clusters, startedWith);
    startedAliases = Math.max(aliases, startedAliases);
    started = (async () => {
      // TESTBED_BASE_PORT lets two checkouts (each with its own TESTBED_DIR) run testbeds side by side.
      const base = process.env.TESTBED_BASE_PORT ? ["--base-port", process.env.TESTBED_BASE_PORT] : [];
      // Without aliases the command is what it always was.
      const aliasArgs = aliases > 1 ? ["--aliases", String(aliases)] : [];
      await runTestbed(["up", "--clusters", String(clusters), ...aliasArgs, ...base], { timeoutMs: opts.timeoutMs });
      await runTestbed(["resume", "--all"]);
      return toTestbed(await status());
    })();
    started.catch(() => {
      started = undefined;
    });
  }
  return started;
}

/** The status of every running cluster (status exits 1 when one is unhealthy but still prints it). */
export async function status(): Promise<StatusEntry[]> {
  const result = await run(["status", "--json"], 60_000);
  try {
    return JSON.parse(result.stdout) as StatusEntry[];
  } catch {
    throw new Error(`testbed status exited with ${result.code}:\n${result.stdout}${result.stderr}`);
  }
}

function toTestbed(entries: StatusEntry[]): Testbed {
  const clusters = entries.map((e) => ({
    name: e.name,
    context: e.name,
    certContext: `${e.name}-cert`,
    scopedContext: `${e.name}-scoped`,
    server: e.server,
    dir: path.join(testbedDir, e.name),
    aliases: (e.aliases ?? [{ name: e.name, k: 1, server: e.server, context: e.name, user: adminUser, fault: e.fault }])
      .filter((a) => !a.down)
      .map((a) => ({ name: a.name, context: a.context, cluster: e.name, k: a.k, server: a.server, user: a.user })),
  }));
  return {
    kubeconfigPath: path.join(testbedDir, "kubeconfig"),
    contexts: clusters.map((c) => c.context),
    clusters,
    aliases: clusters.flatMap((c) => c.aliases),
    dir: testbedDir,
  };
}

/** The user of every cluster's admin token, alias 1's user (the seeder uses it too). */
const adminUser = "testbed-admin";

/**
 * Sets the fault proxy of a cluster or of one alias (`testbed-2-a3`; a cluster's name is its own
 * proxy only, its other aliases keep answering): "stop" refuses connections, "hang" accepts
 * and never answers, "slow" delays every response by `latency` (e.g. "2s"),
 * "resume" ends the fault. Takes effect before the promise resolves.
 */
export async function fault(cluster: string, mode: FaultMode, opts: { latency?: string } = {}): Promise<void> {
  const args = [mode, cluster];
  if (mode === "slow") args.push("--latency", opts.latency ?? "2s");
  await runTestbed(args);
}

/** Stops every cluster and deletes their data (for a global teardown or CI's end). */
export async function downTestbed(): Promise<void> {
  started = undefined;
  startedWith = 0;
  await runTestbed(["down"]);
}

/**
 * Stops every alias proxy (alias 2 onwards) and drops the aliases from the kubeconfig; the clusters
 * keep running. Tests that add aliases call it when done, so later tests see the usual contexts.
 */
export async function downAliases(): Promise<void> {
  started = undefined;
  startedAliases = 1;
  await runTestbed(["down", "--only-aliases"]);
}

/** Ends every fault on every cluster and every alias. */
export async function resumeAll(): Promise<void> {
  await runTestbed(["resume", "--all"]);
}

/** Seeds the clusters (see testbed/README.md for what `scale` means). */
export async function seedTestbed(opts: { scale?: number; seed?: number; clusters?: string[] } = {}): Promise<void> {
  const args = ["seed", "--scale", String(opts.scale ?? 1), "--seed", String(opts.seed ?? 1)];
  if (opts.clusters) args.push("--clusters", opts.clusters.join(","));
  await runTestbed(args);
}

/** One client write as a cluster's API server recorded it in its audit log (testbed/README.md, "Audit log"). */
export interface AuditEvent {
  verb: string;
  /** Path and query, e.g. `...?fieldManager=archipelago&force=true` for a server-side apply. */
  requestURI: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
}

/**
 * Every write (create, update, patch, delete) a client made to `cluster` since it started,
 * oldest first: what reached the cluster, whatever the caller believes it sent.
 */
export function auditEvents(cluster: string): AuditEvent[] {
  const file = path.join(testbedDir, cluster, "logs", "audit.log");
  if (!existsSync(file)) throw new Error(`${file} is missing: restart the testbed (npm run testbed -- down)`);
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{") && line.endsWith("}"))
    .map((line) => JSON.parse(line) as AuditEvent);
}

/**
 * The writes recorded in `cluster`'s audit log, grouped by the alias whose credentials made them
 * (every alias has its own user). Writes by other users (the cert and scoped users) are left out;
 * alias 1's user is the admin user, which `seed` also writes as.
 */
export function auditEventsByAlias(cluster: TestbedCluster): Map<string, AuditEvent[]> {
  const byUser = new Map(cluster.aliases.map((a) => [a.user, a.name]));
  const out = new Map<string, AuditEvent[]>(cluster.aliases.map((a) => [a.name, []]));
  for (const event of auditEvents(cluster.name)) {
    const alias = byUser.get(event.user.username);
    if (alias) out.get(alias)!.push(event);
  }
  return out;
}

/**
 * Deletes a Deployment and waits until it is gone, so that the next `seed` creates it anew.
 * The seeded broken-api never becomes available, so on a testbed older than its progress
 * deadline it reads "failed"; tests that expect a fresh "degraded" one recreate it first.
 */
export function deleteDeployment(context: string, namespace: string, name: string): Promise<void> {
  const args = ["--kubeconfig", path.join(testbedDir, "kubeconfig"), "--context", context, "-n", namespace];
  return new Promise((resolve, reject) => {
    execFile(
      "kubectl",
      [...args, "delete", "deployment", name, "--ignore-not-found", "--wait=true", "--timeout=60s"],
      { timeout: 90_000 },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`kubectl delete deployment ${name} failed: ${stderr}`)) : resolve(),
    );
  });
}
