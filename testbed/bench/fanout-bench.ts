/**
 * Fan-out benchmark (issue 22: the hub's cost per cluster). Registers the testbed's names
 * (aliases: several names per real API server, each its own connection, watches and
 * credential) and, for 1, 10 and N targets:
 *   - pushes the rollout benchmark's five-object template with strategy "all at once" and
 *     waits for the health gate,
 *   - previews a change of that release on the same targets (server-side dry-run + diff),
 *   - checks the release for drift on the same targets,
 * reporting wall time, the server process's CPU time, CPU per additional cluster
 * ((CPU(N) - CPU(1)) / (N - 1)), database round trips per target, and a CPU profile
 * summary of each operation at N (top self time by function and by file).
 *
 * CPU is the server's own (process.cpuUsage inside it), so the figures hold on a loaded
 * machine where wall time does not. Queries and profiles come from testbed/bench/probe.mjs,
 * loaded into the server only here.
 *
 *   npx tsx --tsconfig tsconfig.scripts.json testbed/bench/fanout-bench.ts [--targets 100]
 *     [--clusters 4 --aliases 10] [--latency 50] [--repeat 3] [--port 3600]
 *
 * Each size runs `repeat` times (the median by CPU is reported); the profiles come from one
 * more run at N with the inspector's sampling profiler on (its own cost is left out).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO_BODY, DEMO_SCHEMA } from "@/lib/testing/rollout-fixtures";
import { ensureTestbed, fault, resumeAll, type TestbedAlias } from "../harness";
import {
  apiCall,
  parseArgs,
  registerTestbed,
  reportResults,
  runBenchmark,
  startApp,
  timed,
  type RunningApp,
} from "./bench-app";

interface Sample {
  ms: number;
  cpuMs: number;
  queries: number;
  /** The most repeated query texts (first 120 characters) and how often each ran. */
  topQueries: Array<[string, number]>;
  profile?: ProfileSummary;
}

interface ProfileSummary {
  totalMs: number;
  byFile: Array<{ file: string; ms: number }>;
  byFunction: Array<{ fn: string; ms: number }>;
  /** Time charged to the nearest caller in our own code (lib/, app/), library and runtime time included. */
  byOwnCaller: Array<{ fn: string; ms: number }>;
}

/** Steers probe.mjs inside the server: "start" zeroes its counters, "stop" reports them. */
class Probe {
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), "fanout-probe-"));
  readonly control = path.join(this.dir, "control");
  private app?: RunningApp;

  attach(app: RunningApp) {
    this.app = app;
  }

  private async signal(command: string): Promise<void> {
    rmSync(`${this.control}.ack`, { force: true });
    writeFileSync(this.control, command);
    process.kill(this.app!.pid, "SIGUSR2");
    for (let i = 0; !existsSync(`${this.control}.ack`); i += 1) {
      if (i > 2_000) throw new Error(`probe did not answer "${command}"`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async measure(work: () => Promise<void>, profile = false): Promise<Sample> {
    await this.signal("start");
    const before = await this.read();
    const { ms } = await timed(work);
    const out = path.join(this.dir, `stop-${Date.now()}.json`);
    await this.signal(`stop ${out}`);
    const after = JSON.parse(readFileSync(out, "utf8")) as {
      queries: number;
      cpuMs: number;
      top: Array<[string, number]>;
    };
    const sample: Sample = { ms, cpuMs: after.cpuMs - before.cpuMs, queries: after.queries, topQueries: after.top };
    if (profile && existsSync(`${out}.cpuprofile`)) sample.profile = summarise(`${out}.cpuprofile`);
    return sample;
  }

  /** CPU so far (a "stop" without a profile to keep). */
  private async read(): Promise<{ cpuMs: number }> {
    const out = path.join(this.dir, `mark-${Date.now()}.json`);
    await this.signal(`mark ${out}`);
    return JSON.parse(readFileSync(out, "utf8")) as { cpuMs: number };
  }
}

interface CpuProfile {
  nodes: Array<{
    id: number;
    children?: number[];
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

const PROBE = "(benchmark probe)";

/** Self time per file and per function, from a V8 .cpuprofile. */
function summarise(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const own = (url: string) => /(^|\/)(lib|app)[/_]/.test(shortFile(url)) || /chunks\/(lib|app)_/.test(url);
  const ownCaller = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      if (frame.url.endsWith("probe.mjs")) return PROBE;
      if (own(frame.url))
        return `${frame.functionName || "(anonymous)"} ${shortFile(frame.url)}:${frame.lineNumber + 1}`;
    }
    return "(no caller in our code)";
  };
  const callers = new Map<string, number>();
  const files = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)!;
    if (frame.functionName === "(idle)" || frame.functionName === "(program)") return;
    // The probe's own work (the profiler stopping inside the window) is not the app's.
    if (ownCaller(id) === PROBE) return;
    total += us;
    const where = shortFile(frame.url) || frame.functionName;
    files.set(where, (files.get(where) ?? 0) + us);
    const fn = `${frame.functionName || "(anonymous)"} ${shortFile(frame.url)}:${frame.lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    const caller = ownCaller(id);
    callers.set(caller, (callers.get(caller) ?? 0) + us);
  });
  const top = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  return {
    totalMs: Math.round(total / 1000),
    byFile: top(files).map(([f, us]) => ({ file: f, ms: Math.round(us / 1000) })),
    byFunction: top(fns).map(([f, us]) => ({ fn: f, ms: Math.round(us / 1000) })),
    byOwnCaller: top(callers).map(([f, us]) => ({ fn: f, ms: Math.round(us / 1000) })),
  };
}

function shortFile(url: string): string {
  if (!url) return "";
  const clean = url.replace(/^file:\/\//, "").replace(/\?.*$/, "");
  const nm = clean.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = clean.slice(nm + "node_modules/".length).split("/");
    return `npm:${rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (clean.startsWith("node:")) return clean;
  return path.relative(process.cwd(), clean);
}

/** Takes names round-robin over the real clusters, so 10 targets spread over every API server. */
function spread(aliases: TestbedAlias[], count: number): TestbedAlias[] {
  const byCluster = new Map<string, TestbedAlias[]>();
  for (const alias of aliases) byCluster.set(alias.cluster, [...(byCluster.get(alias.cluster) ?? []), alias]);
  const queues = [...byCluster.values()];
  const picked: TestbedAlias[] = [];
  for (let k = 0; picked.length < count; k += 1)
    for (const queue of queues) if (queue[k] && picked.length < count) picked.push(queue[k]!);
  return picked;
}

/** Waits for the rollout's end; answers its release and how many targets failed (tolerated, see below). */
async function waitRollout(app: RunningApp, rolloutId: string): Promise<{ releaseId: string; failed: string[] }> {
  for (;;) {
    const { rollout } = await apiCall<{
      rollout: {
        state: string;
        message: string | null;
        release: { id: string };
        targets: Array<{ clusterName: string; state: string; error: string | null }>;
      };
    }>(app, "GET", `/api/v1/rollouts/${rolloutId}`);
    if (rollout.state === "succeeded")
      return {
        releaseId: rollout.release.id,
        failed: rollout.targets.filter((t) => t.state === "failed").map((t) => `${t.clusterName}: ${t.error}`),
      };
    if (rollout.state !== "running") throw new Error(`rollout ${rolloutId} ended ${rollout.state}: ${rollout.message}`);
    // Every poll reads the whole rollout page (all targets) and is charged to the push's CPU:
    // 10 a second, like a user watching it, not 40 (the wall time is up to 100 ms coarser).
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type Registration = { context: string; name: string };

/** N names: every alias once (spread over the real clusters), then the same aliases again under new names. */
function registrations(aliases: TestbedAlias[], count: number): Registration[] {
  const order = spread(aliases, aliases.length);
  return Array.from({ length: count }, (_, i) => {
    const alias = order[i % order.length]!;
    const round = Math.floor(i / order.length);
    return { context: alias.name, name: round ? `${alias.name}-r${round + 1}` : alias.name };
  });
}

interface Measured {
  label: string;
  /** Push targets that failed (most in one run), by size. */
  failedTargets: Record<number, number>;
  rows: string[];
  summary: Record<
    string,
    { cpuPerAdditionalClusterMs: number; queriesPerAdditionalCluster: number; wallRatioNto1: number } & Record<
      string,
      unknown
    >
  >;
}

async function main(): Promise<void> {
  const args = parseArgs({ targets: 100, clusters: 4, aliases: 10, latency: 0, port: 3600, repeat: 3 });
  const tb = await ensureTestbed({
    clusters: Number(args.clusters),
    aliases: Number(args.aliases),
    timeoutMs: 30 * 60_000,
  });
  const realServers = new Set(tb.aliases.map((a) => a.cluster)).size;
  const n = Number(args.targets);
  const names = registrations(tb.aliases, n);
  const sizes = [...new Set([1, Math.min(10, n), n])];
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  const repeated = n > tb.aliases.length;
  console.log(
    `# fan-out benchmark: ${n} names on ${tb.aliases.length} aliases of ${realServers} real API servers${repeated ? " (aliases registered more than once under different names)" : ""}; load average ${load}`,
  );
  if (Number(args.latency) > 0)
    for (const alias of new Set(names.map((r) => r.context)))
      await fault(alias, "slow", { latency: `${Number(args.latency)}ms` });
  // BENCH_BASELINE_DIR: a checkout of an earlier commit (its own build), measured first in the same run.
  const baseline = process.env.BENCH_BASELINE_DIR;
  const measured: Measured[] = [];
  try {
    if (baseline)
      measured.push(await measureApp("before", baseline, Number(args.port) + 10, names, n, sizes, args, tb));
    measured.push(
      await measureApp(baseline ? "after" : "this build", undefined, Number(args.port), names, n, sizes, args, tb),
    );
  } finally {
    if (Number(args.latency) > 0) await resumeAll();
  }
  const header = `Fan-out benchmark: ${n} names on ${tb.aliases.length} aliases of ${realServers} real API servers${repeated ? " (each alias registered up to " + Math.ceil(n / tb.aliases.length) + " times under different names)" : ""}, ${os.availableParallelism()} cores, median of ${Number(args.repeat)} runs, load average before ${load}, after ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}${Number(args.latency) ? `, ${Number(args.latency)} ms latency on every name` : ""}`;
  console.log(`\n${header}`);
  for (const m of measured) console.log([`\n### ${m.label}`, ...m.rows].join("\n"));
  if (measured.length === 2) {
    const [before, after] = measured as [Measured, Measured];
    const rows = [
      "",
      "| operation | CPU per additional cluster before → after | DB round trips per additional cluster | wall N / wall 1 |",
      "| --- | ---: | ---: | ---: |",
    ];
    for (const op of ["push", "preview", "drift"] as const) {
      const b = before.summary[op]!;
      const a = after.summary[op]!;
      rows.push(
        `| ${op} | ${b.cpuPerAdditionalClusterMs} → ${a.cpuPerAdditionalClusterMs} ms | ${b.queriesPerAdditionalCluster} → ${a.queriesPerAdditionalCluster} | ${b.wallRatioNto1} → ${a.wallRatioNto1} |`,
      );
    }
    console.log(rows.join("\n"));
  }
  reportResults(`fanout-${n}${Number(args.latency) ? `-latency${Number(args.latency)}` : ""}`, {
    targets: n,
    aliases: tb.aliases.length,
    realApiServers: realServers,
    cores: os.availableParallelism(),
    loadAverage: load,
    latencyMs: Number(args.latency),
    ...Object.fromEntries(measured.map((m) => [m.label, { ...m.summary, failedTargets: m.failedTargets }])),
  });
}

async function measureApp(
  label: string,
  cwd: string | undefined,
  port: number,
  names: Registration[],
  n: number,
  sizes: number[],
  args: Record<string, number | boolean>,
  tb: Awaited<ReturnType<typeof ensureTestbed>>,
): Promise<Measured> {
  console.log(`## ${label}${cwd ? ` (${cwd})` : ""}`);
  const probe = new Probe();
  const app = await startApp(
    port,
    {
      NODE_OPTIONS: `--import ${path.resolve("testbed/bench/probe.mjs")}`,
      PROBE_CONTROL: probe.control,
      PROBE_PROFILE: "1",
      // The scheduled drift round (every minute by default) checks every release the benchmark
      // made so far, on every cluster: inside a measured window it is noise, so it runs yearly here.
      ARCHIPELAGO_DRIFT_CRON: "0 0 1 1 *",
    },
    cwd,
  );
  probe.attach(app);
  try {
    const ids: Record<string, string> = {};
    for (let i = 0; i < names.length; i += 200)
      Object.assign(ids, await registerTestbed(app, tb.kubeconfigPath, names.slice(i, i + 200)));
    const stamp = Date.now().toString(36);
    const failedTargets: Record<number, number> = {};
    const params = { image: "registry.local/bench:1.0", replicas: 1 };
    const templateFor = async (release: string) =>
      (
        await apiCall<{ template: { id: string } }>(app, "POST", "/api/v1/templates", {
          name: release,
          schema: DEMO_SCHEMA,
          body: DEMO_BODY.replaceAll("{{ release }}", release),
        })
      ).template.id;

    const results: Record<string, Record<number, Sample>> = { push: {}, preview: {}, drift: {} };
    const run = async (size: number, tag: string, profile: boolean) => {
      const release = `fo-${stamp}-${label.replace(/\W/g, "")}-${tag}-${size}`;
      const templateId = await templateFor(release);
      const clusterIds = names.slice(0, size).map((r) => ids[r.name]!);
      const body = {
        releaseName: release,
        templateId,
        revision: 1,
        params,
        targets: { clusterIds },
        strategy: { kind: "all" },
        healthGate: { timeoutSeconds: 300 },
        // A failed target is reported below instead of ending the benchmark.
        tolerateFailures: size,
      };
      let releaseId = "";
      const push = await probe.measure(async () => {
        const { rolloutId } = await apiCall<{ rolloutId: string }>(app, "POST", "/api/v1/rollouts", body);
        const ended = await waitRollout(app, rolloutId);
        releaseId = ended.releaseId;
        // Counted, not hidden: a failed target costs less than one that passes its gate.
        if (ended.failed.length) {
          failedTargets[size] = Math.max(failedTargets[size] ?? 0, ended.failed.length);
          console.log(`  ${label}: ${ended.failed.length} of ${size} targets failed, e.g. ${ended.failed[0]}`);
        }
      }, profile);
      const preview = await probe.measure(async () => {
        await apiCall(app, "POST", "/api/v1/rollouts/preview", {
          ...body,
          params: { ...params, image: "registry.local/bench:1.1" },
        });
      }, profile);
      const drift = await probe.measure(async () => {
        await apiCall(app, "POST", `/api/v1/releases/${releaseId}/drift`, { heal: false });
      }, profile);
      return { push, preview, drift };
    };

    // A warm-up at one target: first requests compile routes and fill caches.
    await run(1, "warm", false);
    // Each size `repeat` times; per operation the run with the median CPU is reported.
    const medianOf = (samples: Sample[]) =>
      [...samples].sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(samples.length / 2)]!;
    for (const size of sizes) {
      const runs: Array<Awaited<ReturnType<typeof run>>> = [];
      for (let i = 0; i < Number(args.repeat); i += 1) runs.push(await run(size, `m${i}`, false));
      const r = {
        push: medianOf(runs.map((x) => x.push)),
        preview: medianOf(runs.map((x) => x.preview)),
        drift: medianOf(runs.map((x) => x.drift)),
      };
      for (const op of ["push", "preview", "drift"] as const) results[op]![size] = r[op];
      console.log(
        `${size} targets: push ${Math.round(r.push.ms)} ms / ${Math.round(r.push.cpuMs)} CPU-ms, preview ${Math.round(r.preview.ms)} / ${Math.round(r.preview.cpuMs)}, drift ${Math.round(r.drift.ms)} / ${Math.round(r.drift.cpuMs)}`,
      );
    }
    const profiled = await run(n, "p", true);

    const rows: string[] = [
      "| operation | targets | wall ms | app CPU ms | DB round trips | per target |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
    ];
    const summary: Record<string, unknown> = {};
    for (const op of ["push", "preview", "drift"] as const) {
      for (const size of sizes) {
        const s = results[op]![size]!;
        rows.push(
          `| ${op} | ${size} | ${Math.round(s.ms)} | ${Math.round(s.cpuMs)} | ${s.queries} | ${(s.queries / size).toFixed(1)} |`,
        );
      }
      const one = results[op]![1]!;
      const all = results[op]![n]!;
      const perCluster = n > 1 ? (all.cpuMs - one.cpuMs) / (n - 1) : 0;
      const queriesPerExtra = n > 1 ? (all.queries - one.queries) / (n - 1) : 0;
      summary[op] = {
        wallMs: Object.fromEntries(sizes.map((s) => [s, Math.round(results[op]![s]!.ms)])),
        cpuMs: Object.fromEntries(sizes.map((s) => [s, Math.round(results[op]![s]!.cpuMs)])),
        queries: Object.fromEntries(sizes.map((s) => [s, results[op]![s]!.queries])),
        cpuPerAdditionalClusterMs: +perCluster.toFixed(1),
        queriesPerAdditionalCluster: +queriesPerExtra.toFixed(1),
        wallRatioNto1: +(all.ms / one.ms).toFixed(2),
        profile: profiled[op].profile,
        topQueries: all.topQueries,
      };
    }
    rows.push(
      "",
      "| operation | app CPU per additional cluster | DB round trips per additional cluster | wall N / wall 1 |",
    );
    rows.push("| --- | ---: | ---: | ---: |");
    for (const op of ["push", "preview", "drift"] as const) {
      const s = summary[op] as {
        cpuPerAdditionalClusterMs: number;
        queriesPerAdditionalCluster: number;
        wallRatioNto1: number;
      };
      rows.push(
        `| ${op} | ${s.cpuPerAdditionalClusterMs} ms | ${s.queriesPerAdditionalCluster} | ${s.wallRatioNto1} |`,
      );
    }
    for (const op of ["push", "preview", "drift"] as const) {
      const p = profiled[op].profile;
      if (!p) continue;
      rows.push(
        "",
        `CPU profile of the ${op} to ${n} (profiled run: ${Math.round(profiled[op].cpuMs)} CPU-ms, ${p.totalMs} ms sampled), self time:`,
        "",
      );
      rows.push("| file | ms |", "| --- | ---: |");
      for (const f of p.byFile.slice(0, 8)) rows.push(`| ${f.file} | ${f.ms} |`);
      rows.push("", "| function | ms |", "| --- | ---: |");
      for (const f of p.byFunction.slice(0, 8)) rows.push(`| \`${f.fn}\` | ${f.ms} |`);
    }
    if (Object.keys(failedTargets).length)
      rows.push("", `Failed push targets (most in one run) by size: ${JSON.stringify(failedTargets)}`);
    return { label, rows, summary: summary as Measured["summary"], failedTargets };
  } finally {
    await app.stop();
  }
}

runBenchmark(main);
