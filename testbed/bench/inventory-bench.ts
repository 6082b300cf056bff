/**
 * Inventory benchmark (issue: fleet inventory). On N testbed clusters seeded at scale S
 * (S=100: 2,000 configmaps and 500 deployments per cluster):
 *   - API time of the first page of the aggregated configmap and workload views, cold
 *     (first request after start) and warm (p50/p95 over R requests);
 *   - time until a configmap created with kubectl is visible through the API;
 *   - server RSS;
 *   - the baseline: a sequential `kubectl get <kind> -A -o json` loop over the same
 *     contexts, in the same run, and the ratio.
 *
 *   npx tsx testbed/bench/inventory-bench.ts --clusters 10 --scale 100 [--skipSeed]
 */
import { execFileSync } from "node:child_process";
import { ensureTestbed, seedTestbed } from "../harness";
import {
  apiCall,
  parseArgs,
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
  items: unknown[];
  clusters: Array<{ name: string; state: string; count: number }>;
}

async function main(): Promise<void> {
  const args = parseArgs({ clusters: 10, scale: 100, requests: 50, skipSeed: false, settleSeconds: 90, port: 3400 });
  const clusters = Number(args.clusters);
  const names = Array.from({ length: clusters }, (_, i) => `testbed-${i + 1}`);
  console.log(`# inventory benchmark: ${clusters} clusters, scale ${args.scale}`);
  const tb = await ensureTestbed({ clusters, timeoutMs: 30 * 60_000 });
  if (!args.skipSeed) {
    const seeded = await timed(() => seedTestbed({ scale: Number(args.scale), clusters: names }));
    console.log(
      `seeded in ${(seeded.ms / 1000).toFixed(1)} s; letting the clusters settle ${args.settleSeconds} s (pods becoming ready)`,
    );
    await new Promise((resolve) => setTimeout(resolve, Number(args.settleSeconds) * 1000));
  }

  const app = await startApp(Number(args.port));
  try {
    await registerTestbed(app, tb.kubeconfigPath, names);
    const page = (view: string) => apiCall<InventoryPage>(app, "GET", `/api/v1/inventory?view=${view}&pageSize=100`);

    const results: Record<string, unknown> = { clusters, scale: args.scale };
    for (const view of ["configmaps", "workloads"]) {
      const cold = await timed(() => page(view));
      const notOk = cold.value.clusters.filter((c) => c.state !== "ok");
      if (notOk.length)
        throw new Error(`cold ${view}: clusters not ok: ${notOk.map((c) => `${c.name}=${c.state}`).join(", ")}`);
      const warm: number[] = [];
      for (let i = 0; i < Number(args.requests); i += 1) warm.push((await timed(() => page(view))).ms);
      results[view] = {
        total: cold.value.total,
        coldMs: Math.round(cold.ms),
        warmP50Ms: Math.round(percentile(warm, 50)),
        warmP95Ms: Math.round(percentile(warm, 95)),
      };
      console.log(
        `${view}: ${cold.value.total} objects; cold ${Math.round(cold.ms)} ms; warm p50 ${Math.round(percentile(warm, 50))} ms, p95 ${Math.round(percentile(warm, 95))} ms`,
      );
    }

    const name = `bench-live-${Date.now()}`;
    const kubectl = (context: string, ...rest: string[]) =>
      execFileSync("kubectl", ["--kubeconfig", tb.kubeconfigPath, "--context", context, ...rest], {
        maxBuffer: 1024 * 1024 * 1024,
      });
    const startedLive = performance.now();
    kubectl(names.at(-1)!, "-n", "shared", "create", "configmap", name, "--from-literal=a=1");
    for (;;) {
      const found = await apiCall<InventoryPage>(app, "GET", `/api/v1/inventory?view=configmaps&q=${name}`);
      if (found.total === 1) break;
      if (performance.now() - startedLive > 30_000) throw new Error("change not visible within 30 s");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    results.changeVisibleMs = Math.round(performance.now() - startedLive);
    console.log(
      `kubectl change visible through the API after ${results.changeVisibleMs} ms (includes kubectl's own run time)`,
    );
    kubectl(names.at(-1)!, "-n", "shared", "delete", "configmap", name);

    results.serverRssMiB = rssMiB(app.pid);
    // And once the burst is over (V8 returns memory after idle GCs), with the caches still warm.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    await apiCall(app, "GET", "/api/v1/inventory?view=configmaps&pageSize=100");
    results.serverRssSettledMiB = rssMiB(app.pid);
    console.log(
      `server RSS ${results.serverRssMiB} MiB right after the warm runs, ${results.serverRssSettledMiB} MiB after 20 s idle`,
    );

    for (const kind of ["configmaps", "deployments"]) {
      const loop = await timed(async () => {
        for (const context of names) kubectl(context, "get", kind, "-A", "-o", "json");
      });
      results[`kubectlLoop_${kind}_ms`] = Math.round(loop.ms);
      console.log(`kubectl get ${kind} -A -o json, sequential over ${clusters} contexts: ${Math.round(loop.ms)} ms`);
    }
    const cm = results.configmaps as { coldMs: number; warmP50Ms: number; warmP95Ms: number };
    const wl = results.workloads as { coldMs: number; warmP50Ms: number; warmP95Ms: number };
    results.ratioKubectlToWarmP95_configmaps = +((results.kubectlLoop_configmaps_ms as number) / cm.warmP95Ms).toFixed(
      1,
    );
    results.ratioKubectlToCold_configmaps = +((results.kubectlLoop_configmaps_ms as number) / cm.coldMs).toFixed(1);
    results.ratioKubectlToWarmP95_workloads = +((results.kubectlLoop_deployments_ms as number) / wl.warmP95Ms).toFixed(
      1,
    );
    console.log(
      `kubectl loop / Archipelago warm p95: configmaps ${results.ratioKubectlToWarmP95_configmaps}x, deployments vs workloads ${results.ratioKubectlToWarmP95_workloads}x; kubectl loop / cold configmaps ${results.ratioKubectlToCold_configmaps}x`,
    );

    reportResults(`inventory-${clusters}`, results);
  } finally {
    await app.stop();
  }
}

runBenchmark(main);
