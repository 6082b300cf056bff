/**
 * Fleet index benchmark (issue 21): app instance RSS and inventory page latency with R real
 * testbed clusters presented under A aliases each (every alias its own proxy, name and user,
 * the same real API server behind it), registering N of those names, for each N given:
 *   - time until every registered cluster answers "ok" (the index filled, or the caches warm);
 *   - time until a ConfigMap created with kubectl is listed by the API;
 *   - warm first page of the configmap view, p50/p95 over `requests` calls;
 *   - RSS after the warm requests;
 *   - the same instance restarted on the same database: first page latency (no re-list is
 *     waited for: the index is already filled) and RSS.
 * Every result names how many real API servers stood behind the registered clusters. Beside
 * them, in the same run: a sequential `kubectl get configmaps -A` loop over the same contexts,
 * and, with BENCH_BASELINE_DIR (a built checkout of an earlier commit), that build's numbers.
 *
 *   npx tsx testbed/bench/fleet-index-bench.ts --real 3 --aliases 10 --sizes 10,30 [--requests 30]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureTestbed } from "../harness";
import {
  apiCall,
  percentile,
  registerTestbed,
  reportResults,
  rssMiB,
  runBenchmark,
  startApp,
  timed,
} from "./bench-app";

interface InventoryPage {
  total: number;
  clusters: Array<{ name: string; state: string }>;
}

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
}

async function main(): Promise<void> {
  const real = Number(flag("real", "3"));
  const aliases = Number(flag("aliases", "10"));
  const sizes = flag("sizes", "10,30").split(",").map(Number);
  const requests = Number(flag("requests", "30"));
  const port = Number(flag("port", "3470"));
  const tb = await ensureTestbed({ clusters: real, aliases, timeoutMs: 30 * 60_000 });
  // Round-robin over the real clusters, so N names spread over every real API server.
  const byAlias = Array.from({ length: aliases }, (_, k) =>
    tb.clusters.map((cluster) => cluster.aliases[k]?.context).filter(Boolean),
  ).flat() as string[];
  const results: Record<string, unknown> = { realApiServers: real, aliasesPerServer: aliases };

  const kubectl = (context: string, ...rest: string[]) =>
    execFileSync("kubectl", ["--kubeconfig", tb.kubeconfigPath, "--context", context, ...rest], {
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 512 * 1024 * 1024,
    });
  // BENCH_BASELINE_DIR: a built checkout of an earlier commit (the in-memory design), measured
  // first, in the same run, on the same clusters.
  const baseline = process.env.BENCH_BASELINE_DIR;
  const builds: Array<{ label: string; cwd?: string; port: number }> = [
    ...(baseline ? [{ label: "before", cwd: baseline, port: port + 10 }] : []),
    { label: baseline ? "after" : "this build", port },
  ];
  for (const size of sizes) {
    const names = byAlias.slice(0, size);
    // The baseline every design is compared with: one kubectl per context, one after another.
    const loop = await timed(async () => {
      for (const context of names) kubectl(context, "get", "configmaps", "-A", "-o", "json");
    });
    results[`kubectlLoop_${size}`] = { registered: size, realApiServers: real, configmapsMs: Math.round(loop.ms) };
    console.log(`kubectl get configmaps -A -o json over ${size} contexts, sequential: ${Math.round(loop.ms)} ms`);
    for (const build of builds) {
      const entry = await measureSize(build, names);
      console.log(`${build.label}: ${size} registered (${real} real API servers):`, entry);
      results[`${build.label}_registered_${size}`] = entry;
    }
  }

  async function measureSize(build: { label: string; cwd?: string; port: number }, names: string[]) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "fleet-index-bench-"));
    const env = { ARCHIPELAGO_DATA_DIR: dataDir };
    const page = (app: Awaited<ReturnType<typeof startApp>>, query = "") =>
      apiCall<InventoryPage>(app, "GET", `/api/v1/inventory?view=configmaps&pageSize=100${query}`);
    let app = await startApp(build.port, env, build.cwd);
    const entry: Record<string, unknown> = { build: build.label, registered: names.length, realApiServers: real };
    try {
      await registerTestbed(app, tb.kubeconfigPath, names);
      const filled = await timed(async () => {
        for (;;) {
          const answer = await page(app);
          if (answer.clusters.length === names.length && answer.clusters.every((c) => c.state === "ok")) return answer;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      });
      entry.allAnsweredMs = Math.round(filled.ms);
      entry.objects = filled.value.total;
      const warm: number[] = [];
      for (let i = 0; i < requests; i += 1) warm.push((await timed(() => page(app))).ms);
      entry.warmP50Ms = Math.round(percentile(warm, 50));
      entry.warmP95Ms = Math.round(percentile(warm, 95));
      // A ConfigMap created with kubectl, until the API lists it (kubectl's own run time included).
      const name = `bench-visible-${Date.now()}`;
      const context = names.at(-1)!;
      const visible = await timed(async () => {
        kubectl(context, "-n", "default", "create", "configmap", name, "--from-literal=a=1");
        for (;;) {
          if ((await page(app, `&q=${name}`)).total > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
      kubectl(context, "-n", "default", "delete", "configmap", name);
      entry.kubectlChangeVisibleMs = Math.round(visible.ms);
      entry.rssWarmMiB = rssMiB(app.pid);
      await app.stop();
      app = await startApp(build.port, env, build.cwd);
      const first = await timed(() => page(app));
      entry.firstPageAfterRestartMs = Math.round(first.ms);
      entry.statesAfterRestart = [...new Set(first.value.clusters.map((c) => c.state))];
      entry.rssAfterRestartMiB = rssMiB(app.pid);
    } finally {
      await app.stop();
    }
    return entry;
  }
  reportResults(`fleet-index-${real}x${aliases}`, results);
}

runBenchmark(main);
