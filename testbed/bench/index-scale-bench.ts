/**
 * Fleet index at 1,000,000 rows (issue 21): the inventory queries' latency through the API
 * when the index holds a million objects of 1,000 clusters, beside the real ones.
 *
 * The real clusters (`--real`, testbed API servers) are registered and indexed by their
 * collectors as usual. The other clusters are SYNTHETIC: rows in `clusters` (label
 * `synthetic=true`, server 127.0.0.1:1, which refuses at once) whose collectors are leased to a
 * holder that is no instance (as the test fixtures do), with `--rows` index rows each written
 * by SQL (600 ConfigMaps, 300 Deployments, 100 Secrets per 1,000; 20 namespaces; an `app`
 * label of 10 values; 2 % of the Deployments degraded). No API server stands behind them: they
 * measure the database's side of every read, which is what grows with the fleet.
 *
 * For each query (admin and a team granted one namespace on 6 clusters): p50/p95 over
 * `--requests` calls, timed from outside the app. It also counts sequential scans of
 * `inventory_objects` (pg_stat_user_tables) across all the timed calls: the plans must read
 * indexes only.
 *
 *   npx tsx --tsconfig tsconfig.scripts.json testbed/bench/index-scale-bench.ts --real 3 --synthetic 1000 --rows 1000
 */
import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { ensureTestbed } from "../harness";
import { apiCall, percentile, registerTestbed, reportResults, runBenchmark, startApp, timed } from "./bench-app";

interface InventoryPage {
  total: number;
  items: unknown[];
  clusters: Array<{ name: string; state: string }>;
}

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
}

const TEAM_USER = { email: "bench-team@example.com", name: "Bench Team", password: "benchmark password 456" };

async function main(): Promise<void> {
  const real = Number(flag("real", "3"));
  const synthetic = Number(flag("synthetic", "1000"));
  const rows = Number(flag("rows", "1000"));
  const requests = Number(flag("requests", "30"));
  const port = Number(flag("port", "3480"));
  const tb = await ensureTestbed({ clusters: real });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "index-scale-bench-"));
  // Health checks of 1,000 clusters that refuse would be noise beside the reads measured.
  const app = await startApp(port, { ARCHIPELAGO_DATA_DIR: dataDir, ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: "3600" });
  const results: Record<string, unknown> = {
    realApiServers: real,
    syntheticClusters: synthetic,
    rowsPerSynthetic: rows,
  };
  const sql = new Client({
    connectionString: `postgresql://postgres:${encodeURIComponent(
      readFileSync(path.join(dataDir, "postgres.password"), "utf8").trim(),
    )}@127.0.0.1:${port + 1000}/archipelago`,
  });
  try {
    const realNames = tb.clusters.map((cluster) => cluster.context);
    const realIds = await registerTestbed(app, tb.kubeconfigPath, realNames);
    const page = (query: string, token = app.token) =>
      fetchJson<InventoryPage>(`${app.baseUrl}/api/v1/inventory?pageSize=100&${query}`, token);
    // The real clusters indexed first, so every later answer is from the index.
    await timed(async () => {
      for (;;) {
        const [configmaps, workloads] = await Promise.all([page("view=configmaps"), page("view=workloads")]);
        if ([configmaps, workloads].every((answer) => answer.clusters.every((c) => c.state === "ok"))) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    });

    await sql.connect();
    const filled = await timed(() => fillSynthetic(sql, synthetic, rows));
    results.syntheticFillMs = Math.round(filled.ms);
    const counted = await sql.query<{ n: string }>("SELECT count(*)::text AS n FROM inventory_objects");
    results.indexRows = Number(counted.rows[0]!.n);
    console.log(
      `index: ${results.indexRows} rows (${synthetic} synthetic clusters filled in ${results.syntheticFillMs} ms)`,
    );

    const team = await teamToken(app, [...Object.values(realIds)].slice(0, 1), sql);
    const someCluster = (await sql.query<{ id: string }>("SELECT id FROM clusters WHERE name = 'synthetic-0500'"))
      .rows[0]!.id;
    const queries: Array<{ name: string; url: string; token?: string }> = [
      { name: "admin configmaps, first page", url: "inventory?pageSize=100&view=configmaps" },
      { name: "admin workloads, first page", url: "inventory?pageSize=100&view=workloads" },
      { name: "admin configmaps, page 50", url: "inventory?pageSize=100&view=configmaps&page=50" },
      { name: "admin workloads sorted by name", url: "inventory?pageSize=100&view=workloads&sort=name" },
      {
        name: "admin namespace glob + name + label selector",
        url: "inventory?pageSize=100&view=configmaps&namespace=ns-1*&q=obj-1&labelSelector=app%3Da3",
      },
      { name: "admin degraded workloads", url: "inventory?pageSize=100&view=workloads&health=degraded" },
      {
        name: "admin cluster selector shard=3",
        url: "inventory?pageSize=100&view=configmaps&clusterSelector=shard%3D3",
      },
      { name: "admin secrets (metadata)", url: "inventory?pageSize=100&view=secrets" },
      { name: "admin namespace counts of one cluster", url: `inventory/namespaces?cluster=${someCluster}` },
      {
        name: "admin compare one configmap across the fleet",
        url: "inventory/compare?kind=configmaps&namespace=ns-01&name=obj-1",
      },
      {
        name: "team (one namespace, 6 clusters) configmaps",
        url: "inventory?pageSize=100&view=configmaps",
        token: team,
      },
      { name: "team workloads sorted by name", url: "inventory?pageSize=100&view=workloads&sort=name", token: team },
    ];
    const seqBefore = await seqScans(sql);
    const timings: Record<string, unknown> = {};
    for (const query of queries) {
      const ms: number[] = [];
      let total: unknown;
      for (let i = 0; i < requests; i += 1) {
        const run = await timed(() =>
          fetchJson<{ total?: number }>(`${app.baseUrl}/api/v1/${query.url}`, query.token ?? app.token),
        );
        ms.push(run.ms);
        total = run.value.total;
      }
      timings[query.name] = { p50Ms: Math.round(percentile(ms, 50)), p95Ms: Math.round(percentile(ms, 95)), total };
      console.log(query.name, timings[query.name]);
    }
    results.queries = timings;
    results.sequentialScansOfInventoryObjects = (await seqScans(sql)) - seqBefore;
    console.log(
      `sequential scans of inventory_objects during the timed calls: ${String(results.sequentialScansOfInventoryObjects)}`,
    );
  } finally {
    await sql.end().catch(() => undefined);
    await app.stop();
  }
  reportResults(`index-scale-${synthetic}x${rows}`, results);
}

async function fetchJson<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function seqScans(sql: Client): Promise<number> {
  // The statistics collector reports with a delay; ask for a fresh snapshot.
  await sql.query("SELECT pg_stat_clear_snapshot()");
  const { rows } = await sql.query<{ n: string }>(
    "SELECT seq_scan::text AS n FROM pg_stat_user_tables WHERE relname = 'inventory_objects'",
  );
  return Number(rows[0]!.n);
}

/**
 * Synthetic clusters and their rows, in SQL. The credential is a copy of a real cluster's
 * sealed envelope (never used: the address refuses, and no collector runs for them).
 */
async function fillSynthetic(sql: Client, count: number, rows: number): Promise<void> {
  await sql.query(
    `INSERT INTO clusters (id, name, server, auth_type, credential_envelope, labels, updated_at)
     SELECT gen_random_uuid(), 'synthetic-' || lpad(i::text, 4, '0'), 'https://127.0.0.1:1', r.auth_type,
            r.credential_envelope, jsonb_build_object('synthetic', 'true', 'shard', (i % 10)::text), now()
       FROM generate_series(1, $1::int) i, (SELECT auth_type, credential_envelope FROM clusters LIMIT 1) r`,
    [count],
  );
  await sql.query(
    `INSERT INTO inventory_collectors (cluster_id, kind, holder, lease_until, state, live, synced_at)
     SELECT c.id, k, 'synthetic', now() + interval '1 day', 'synced', true, now()
       FROM clusters c, unnest($1::text[]) k WHERE c.labels->>'synthetic' = 'true'`,
    [["configmaps", "secrets", "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs"]],
  );
  const configmaps = Math.round(rows * 0.6);
  const deployments = Math.round(rows * 0.3);
  await sql.query(
    `INSERT INTO inventory_objects (cluster_id, kind, uid, namespace, name, labels, created_at, resource_version,
                                   health, ready, desired, size, detail)
     SELECT c.id,
            CASE WHEN n <= $2 THEN 'configmaps' WHEN n <= $2 + $3 THEN 'deployments' ELSE 'secrets' END,
            md5(c.id::text || n), 'ns-' || lpad((n % 20)::text, 2, '0'), 'obj-' || n,
            jsonb_build_object('app', 'a' || (n % 10)), now() - (n || ' minutes')::interval, n,
            CASE WHEN n > $2 AND n <= $2 + $3 THEN (CASE WHEN n % 50 = 0 THEN 'degraded' ELSE 'healthy' END) END,
            CASE WHEN n > $2 AND n <= $2 + $3 THEN 2 END, CASE WHEN n > $2 AND n <= $2 + $3 THEN 2 END,
            CASE WHEN n <= $2 THEN 100 + n % 900 ELSE NULL END, '{}'::jsonb
       FROM clusters c, generate_series(1, $1::int) n WHERE c.labels->>'synthetic' = 'true'`,
    [rows, configmaps, deployments],
  );
  await sql.query("ANALYZE inventory_objects");
  await sql.query("ANALYZE inventory_collectors");
  await sql.query("ANALYZE clusters");
}

/** A team granted `ns-01` (view, secret metadata) on 5 synthetic clusters and the given real ones; its member's token. */
async function teamToken(app: Awaited<ReturnType<typeof startApp>>, realIds: string[], sql: Client): Promise<string> {
  const synthetic = await sql.query<{ id: string }>(
    "SELECT id FROM clusters WHERE labels->>'synthetic' = 'true' ORDER BY name LIMIT 5",
  );
  const { team } = await apiCall<{ team: { id: string } }>(app, "POST", "/api/v1/teams", { name: "bench-team" });
  await apiCall(app, "POST", `/api/v1/teams/${team.id}/grants`, {
    clusterIds: [...realIds, ...synthetic.rows.map((row) => row.id)],
    namespaces: ["ns-01", "default"],
    level: "view",
    secrets: "metadata",
  });
  await apiCall(app, "POST", "/api/v1/users", TEAM_USER);
  await apiCall(app, "POST", `/api/v1/teams/${team.id}/members`, { email: TEAM_USER.email, role: "member" });
  const signIn = await fetch(`${app.baseUrl}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.baseUrl },
    body: JSON.stringify({ email: TEAM_USER.email, password: TEAM_USER.password }),
  });
  const cookie = signIn.headers.get("set-cookie")?.split(";")[0] ?? "";
  const created = await fetch(`${app.baseUrl}/api/v1/me/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.baseUrl, cookie },
    body: JSON.stringify({ name: "bench", expiresInDays: 1 }),
  });
  return ((await created.json()) as { token: string }).token;
}

runBenchmark(main);
