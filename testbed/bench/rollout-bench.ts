/**
 * Rollout benchmark (issue: templates and bulk rollouts). Pushes a five-object template
 * (ConfigMap, Secret, ServiceAccount, Service, Deployment) and waits for its health gate:
 *   - to one cluster (the single-cluster time),
 *   - to N clusters at once,
 *   - and, in the same run, a sequential `kubectl apply --server-side` + `kubectl rollout
 *     status` loop over the same contexts (the manual baseline), and the ratios.
 *
 *   npx tsx --tsconfig tsconfig.scripts.json testbed/bench/rollout-bench.ts --clusters 10
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { desiredObjects } from "@/lib/server/releases/desired";
import { DEMO_BODY, DEMO_SCHEMA } from "@/lib/testing/rollout-fixtures";
import { ensureTestbed } from "../harness";
import { apiCall, parseArgs, registerTestbed, reportResults, runBenchmark, startApp, timed } from "./bench-app";

async function rollout(app: Awaited<ReturnType<typeof startApp>>, templateId: string, release: string, clusterIds: string[]): Promise<number> {
  const { ms } = await timed(async () => {
    const { rolloutId } = await apiCall<{ rolloutId: string }>(app, "POST", "/api/v1/rollouts", {
      releaseName: release,
      templateId,
      revision: 1,
      params: { image: "registry.local/bench:1.0", replicas: 1 },
      targets: { clusterIds },
      strategy: { kind: "all" },
      healthGate: { timeoutSeconds: 300 },
    });
    for (;;) {
      const { rollout: state } = await apiCall<{ rollout: { state: string; message: string | null } }>(app, "GET", `/api/v1/rollouts/${rolloutId}`);
      if (state.state === "succeeded") return;
      if (state.state !== "running") throw new Error(`rollout ${release} ended ${state.state}: ${state.message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  return ms;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const args = parseArgs({ clusters: 10, port: 3500, repeat: 3 });
  const clusters = Number(args.clusters);
  const names = Array.from({ length: clusters }, (_, i) => `testbed-${i + 1}`);
  console.log(`# rollout benchmark: ${clusters} clusters`);
  const tb = await ensureTestbed({ clusters, timeoutMs: 30 * 60_000 });
  const stamp = Date.now().toString(36);
  const app = await startApp(Number(args.port));
  try {
    const ids = await registerTestbed(app, tb.kubeconfigPath, names);
    const template = async (prefix: string) =>
      (await apiCall<{ template: { id: string } }>(app, "POST", "/api/v1/templates", { name: prefix, schema: DEMO_SCHEMA, body: DEMO_BODY.replaceAll("{{ release }}", prefix) })).template.id;

    const singles: number[] = [];
    const fleets: number[] = [];
    const loops: number[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), "rollout-bench-"));
    for (let run = 0; run < Number(args.repeat); run += 1) {
      const singlePrefix = `bs-${stamp}-${run}`;
      singles.push(await rollout(app, await template(singlePrefix), singlePrefix, [ids[names[0]!]!]));
      const fleetPrefix = `bf-${stamp}-${run}`;
      fleets.push(await rollout(app, await template(fleetPrefix), fleetPrefix, names.map((n) => ids[n]!)));

      // The manual way: the same five objects, rendered the same way, applied cluster by cluster.
      const prefix = `bk-${stamp}-${run}`;
      loops.push(
        (
          await timed(async () => {
            for (const name of names) {
              const rendered = await desiredObjects({ body: DEMO_BODY.replaceAll("{{ release }}", prefix), overrides: [], number: 1 }, { image: "registry.local/bench:1.0", replicas: 1, namespace: "team-a", greeting: "hello" }, { name, labels: {}, variables: {} }, null);
              if (!rendered.ok) throw new Error("render failed");
              const file = path.join(dir, `${name}.yaml`);
              writeFileSync(file, rendered.manifests.map((m) => stringify(m)).join("---\n"));
              const kubectl = (...rest: string[]) => execFileSync("kubectl", ["--kubeconfig", tb.kubeconfigPath, "--context", name, ...rest], { stdio: "ignore" });
              kubectl("apply", "--server-side", "--field-manager", "bench-kubectl", "-f", file);
              kubectl("-n", "team-a", "rollout", "status", `deployment/${prefix}-web`, "--timeout=300s");
            }
          })
        ).ms,
      );
      console.log(`run ${run + 1}: single ${Math.round(singles.at(-1)!)} ms, ${clusters} at once ${Math.round(fleets.at(-1)!)} ms, kubectl loop ${Math.round(loops.at(-1)!)} ms`);
    }
    const single = median(singles);
    const fleet = median(fleets);
    const kubectlLoop = { ms: median(loops) };
    console.log(`medians: single ${Math.round(single)} ms; ${clusters} at once ${Math.round(fleet)} ms (${(fleet / single).toFixed(2)}x); kubectl loop ${Math.round(kubectlLoop.ms)} ms (${(kubectlLoop.ms / fleet).toFixed(1)}x)`);

    const results = {
      clusters,
      singleClusterMs: Math.round(single),
      fleetMs: Math.round(fleet),
      fleetToSingleRatio: +(fleet / single).toFixed(2),
      kubectlLoopMs: Math.round(kubectlLoop.ms),
      kubectlLoopToFleetRatio: +(kubectlLoop.ms / fleet).toFixed(1),
    };
    reportResults(`rollout-${clusters}`, results);
  } finally {
    await app.stop();
  }
}

runBenchmark(main);
