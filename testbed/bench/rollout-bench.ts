/**
 * Rollout benchmark (issue: templates and bulk rollouts). Pushes a five-object template
 * (ConfigMap, Secret, ServiceAccount, Service, Deployment) and waits for its health gate:
 *   - to one cluster (the single-cluster time),
 *   - to N clusters at once,
 *   - and, in the same run, a sequential `kubectl apply --server-side` + `kubectl rollout
 *     status` loop over the same contexts (the manual baseline), and the ratios;
 *   - the CPU time the server and the whole machine spent on each push: on a small machine
 *     running every testbed cluster, the clusters' own work (admission, etcd, controllers,
 *     scheduler) for N clusters at once is what bounds the fleet time.
 *
 *   npx tsx --tsconfig tsconfig.scripts.json testbed/bench/rollout-bench.ts --clusters 10
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { desiredObjects } from "@/lib/server/templates/desired";
import { DEMO_BODY, DEMO_SCHEMA } from "@/lib/testing/rollout-fixtures";
import { ensureTestbed } from "../harness";
import { apiCall, parseArgs, registerTestbed, reportResults, runBenchmark, startApp, timed } from "./bench-app";

/** CPU time (user + system) of one process, or of every process on the machine, in ms. */
function cpuMs(pid?: number): number {
  const ofPid = (id: string) => {
    const fields = readFileSync(`/proc/${id}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  };
  if (pid !== undefined) return ofPid(String(pid));
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      total += ofPid(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

interface PushTiming {
  ms: number;
  serverCpuMs: number;
  machineCpuMs: number;
}

async function rollout(
  app: Awaited<ReturnType<typeof startApp>>,
  templateId: string,
  release: string,
  clusterIds: string[],
): Promise<PushTiming> {
  const serverBefore = cpuMs(app.pid);
  const machineBefore = cpuMs();
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
      const { rollout: state } = await apiCall<{ rollout: { state: string; message: string | null } }>(
        app,
        "GET",
        `/api/v1/rollouts/${rolloutId}`,
      );
      if (state.state === "succeeded") return;
      if (state.state !== "running") throw new Error(`rollout ${release} ended ${state.state}: ${state.message}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });
  return { ms, serverCpuMs: cpuMs(app.pid) - serverBefore, machineCpuMs: cpuMs() - machineBefore };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const medianBy = (runs: PushTiming[]) => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;

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
      (
        await apiCall<{ template: { id: string } }>(app, "POST", "/api/v1/templates", {
          name: prefix,
          schema: DEMO_SCHEMA,
          body: DEMO_BODY.replaceAll("{{ release }}", prefix),
        })
      ).template.id;

    const singles: PushTiming[] = [];
    const fleets: PushTiming[] = [];
    const loops: number[] = [];
    const applyOnlyLoops: number[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), "rollout-bench-"));
    for (let run = 0; run < Number(args.repeat); run += 1) {
      const singlePrefix = `bs-${stamp}-${run}`;
      singles.push(await rollout(app, await template(singlePrefix), singlePrefix, [ids[names[0]!]!]));
      const fleetPrefix = `bf-${stamp}-${run}`;
      fleets.push(
        await rollout(
          app,
          await template(fleetPrefix),
          fleetPrefix,
          names.map((n) => ids[n]!),
        ),
      );

      // The manual way: the same five objects, rendered the same way, applied cluster by
      // cluster; once waiting for the Deployment like our health gate does, once not.
      for (const [mode, prefix] of [
        ["gate", `bk-${stamp}-${run}`],
        ["apply", `ba-${stamp}-${run}`],
      ] as const) {
        for (const name of names) {
          const rendered = await desiredObjects(
            { body: DEMO_BODY.replaceAll("{{ release }}", prefix), overrides: [], number: 1 },
            { image: "registry.local/bench:1.0", replicas: 1, namespace: "team-a", greeting: "hello" },
            { name, labels: {}, variables: {} },
            null,
          );
          if (!rendered.ok) throw new Error("render failed");
          const file = path.join(dir, `${mode}-${name}.yaml`);
          writeFileSync(file, rendered.manifests.map((m) => stringify(m)).join("---\n"));
        }
        const kubectl = (name: string, ...rest: string[]) =>
          execFileSync("kubectl", ["--kubeconfig", tb.kubeconfigPath, "--context", name, ...rest], { stdio: "ignore" });
        const loop = await timed(async () => {
          for (const name of names) {
            kubectl(
              name,
              "apply",
              "--server-side",
              "--field-manager",
              "bench-kubectl",
              "-f",
              path.join(dir, `${mode}-${name}.yaml`),
            );
            if (mode === "gate")
              kubectl(name, "-n", "team-a", "rollout", "status", `deployment/${prefix}-web`, "--timeout=300s");
          }
        });
        (mode === "gate" ? loops : applyOnlyLoops).push(loop.ms);
      }
      console.log(
        `run ${run + 1}: single ${Math.round(singles.at(-1)!.ms)} ms, ${clusters} at once ${Math.round(fleets.at(-1)!.ms)} ms (machine CPU ${Math.round(fleets.at(-1)!.machineCpuMs)} ms, server ${Math.round(fleets.at(-1)!.serverCpuMs)} ms), kubectl loop ${Math.round(loops.at(-1)!)} ms, kubectl apply only ${Math.round(applyOnlyLoops.at(-1)!)} ms`,
      );
    }
    const single = medianBy(singles);
    const fleet = medianBy(fleets);
    const kubectlLoop = median(loops);
    const kubectlApplyOnly = median(applyOnlyLoops);
    const cores = os.availableParallelism();
    console.log(
      `medians: single ${Math.round(single.ms)} ms; ${clusters} at once ${Math.round(fleet.ms)} ms (${(fleet.ms / single.ms).toFixed(2)}x); kubectl loop ${Math.round(kubectlLoop)} ms (${(kubectlLoop / fleet.ms).toFixed(1)}x)`,
    );
    console.log(
      `during the ${clusters}-cluster push the machine spent ${Math.round(fleet.machineCpuMs)} CPU-ms (all processes, the testbed included; the server ${Math.round(fleet.serverCpuMs)}): on ${cores} cores that takes at least ${Math.round(fleet.machineCpuMs / cores)} ms`,
    );

    const results = {
      clusters,
      cores,
      singleClusterMs: Math.round(single.ms),
      fleetMs: Math.round(fleet.ms),
      fleetToSingleRatio: +(fleet.ms / single.ms).toFixed(2),
      kubectlLoopMs: Math.round(kubectlLoop),
      kubectlLoopToFleetRatio: +(kubectlLoop / fleet.ms).toFixed(1),
      kubectlApplyOnlyLoopMs: Math.round(kubectlApplyOnly),
      singleCpuMs: { server: Math.round(single.serverCpuMs), machine: Math.round(single.machineCpuMs) },
      fleetCpuMs: { server: Math.round(fleet.serverCpuMs), machine: Math.round(fleet.machineCpuMs) },
      fleetCpuBoundFloorMs: Math.round(fleet.machineCpuMs / cores),
    };
    reportResults(`rollout-${clusters}`, results);
  } finally {
    await app.stop();
  }
}

runBenchmark(main);
