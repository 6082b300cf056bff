import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as metricsRoute from "@/app/metrics/route";
import * as clusterRoute from "@/app/api/v1/clusters/[id]/route";
import * as inventoryRoute from "@/app/api/v1/inventory/route";
import { fault, resumeAll, type Testbed } from "@/testbed/harness";
import { createSession } from "@/lib/server/auth/sessions";
import { registerCluster } from "@/lib/server/clusters/register";
import { resetEnvForTests } from "@/lib/server/config/env";
import { enqueue, QUEUES, startQueue, stopQueue } from "@/lib/server/jobs/queue";
import { resetFleetIndex } from "@/lib/testing/fleet-index";
import { discoverRoutes, urlFor } from "@/lib/testing/api-routes";
import { callRoute } from "@/lib/testing/call-route";
import { parsePrometheusText, samplesOf, type Family } from "@/lib/testing/prometheus-text";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { COLLECT_TIMEOUT_MS } from "@/lib/server/metrics/registry";

/**
 * GET /metrics through its real route handler (the one Next serves), on this file's own
 * database and the testbed's real clusters; the scrape is parsed with a strict text parser.
 */

const TOKEN = `metrics-${randomUUID()}-${randomUUID()}`;
const LABEL_CANARY = `label-canary-${randomUUID()}`;
const VARIABLE_CANARY = `variable-canary-${randomUUID()}`;
let tb: Testbed;
let adminSession: string;
let clusterA: { id: string; name: string };
let clusterB: { id: string; name: string };

function setToken(token: string | undefined): void {
  if (token === undefined) delete process.env.ARCHIPELAGO_METRICS_TOKEN;
  else process.env.ARCHIPELAGO_METRICS_TOKEN = token;
  resetEnvForTests();
}

async function scrapeRaw(authorization?: string): Promise<{ status: number; text: string; headers: Headers }> {
  const headers = new Headers(authorization ? { authorization } : {});
  const request = new NextRequest(new URL("/metrics", "http://localhost:3000"), { headers });
  const response = await metricsRoute.GET(request);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function scrape(): Promise<{ text: string; families: Map<string, Family> }> {
  const response = await scrapeRaw(`Bearer ${TOKEN}`);
  expect(response.status, response.text).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return { text: response.text, families: parsePrometheusText(response.text) };
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const value = (families: Map<string, Family>, name: string, labels: Record<string, string>) =>
  samplesOf(families, name, labels)[0]?.value;

beforeAll(async () => {
  tb = await testbed();
  await resumeAll();
  await resetFleetIndex();
  await resetDatabase();
  setToken(TOKEN);
  const admin = await createTestUser({ isAdmin: true });
  adminSession = (await createSession(admin.id, { clientIp: "127.0.0.1", userAgent: "metrics test" })).token;
  const a = await registerCluster(
    registrationFor(tb, "testbed-1", "metrics-a", {
      labels: { team: LABEL_CANARY },
      variables: { secretish: VARIABLE_CANARY },
    }),
  );
  const b = await registerCluster(registrationFor(tb, "testbed-2", "metrics-b"));
  clusterA = { id: a.id, name: a.name };
  clusterB = { id: b.id, name: b.name };
});

afterAll(async () => {
  await resumeAll();
  await stopQueue();
  setToken(undefined);
});

describe("GET /metrics", () => {
  it("counts a request made through a real route under its pattern and status, with a latency bucket", async () => {
    const labels = { method: "GET", route: "/api/v1/clusters/[id]", status: "200" };
    const before = await scrape();
    const countBefore = value(before.families, "archipelago_http_requests_total", labels) ?? 0;

    const response = await callRoute(clusterRoute.GET, {
      path: `/api/v1/clusters/${clusterA.id}`,
      params: { id: clusterA.id },
      session: adminSession,
    });
    expect(response.status).toBe(200);

    const { families, text } = await scrape();
    expect(value(families, "archipelago_http_requests_total", labels)).toBe(countBefore + 1);
    expect(families.get("archipelago_http_request_duration_seconds")?.type).toBe("histogram");
    expect(value(families, "archipelago_http_request_duration_seconds_bucket", { ...labels, le: "+Inf" })).toBe(
      countBefore + 1,
    );
    expect(value(families, "archipelago_http_request_duration_seconds_count", labels)).toBe(countBefore + 1);
    // The id travelled in the path but never into a request label.
    for (const sample of [...samplesOf(families, "archipelago_http_requests_total")])
      expect(sample.labels.route).not.toContain(clusterA.id);
    // Default process metrics are there: CPU, resident memory, event loop lag.
    for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "nodejs_eventloop_lag_seconds"])
      expect(families.has(name), name).toBe(true);
    expect(text).toContain("archipelago_sign_in_account_slowdowns_total");
  });

  it("labels every API route by its folder's pattern, never by the ids in the path", async () => {
    const routes = await discoverRoutes();
    const expected = new Map<string, string>();
    for (const route of routes) {
      if (route.template === "/api/[...path]") continue; // the unknown-path answer is not a route() door
      const params = Object.fromEntries(route.params.map((name) => [name, `${name}-${randomUUID()}`]));
      const response = await route.handler(
        new NextRequest(new URL(urlFor(route.template, params), "http://localhost:3000"), {
          method: route.method,
          headers: {
            origin: "http://localhost:3000",
            host: "localhost:3000",
            "x-archipelago-client-ip": "127.0.0.1",
            "x-archipelago-proto": "http",
          },
        }),
        // Next hands a route without dynamic segments a context whose params are undefined.
        (route.params.length ? { params: Promise.resolve(params) } : { params: undefined }) as never,
      );
      expected.set(`${route.method} ${route.template}`, String(response.status));
    }
    const { families } = await scrape();
    for (const [key, status] of expected) {
      const [method, template] = key.split(" ") as [string, string];
      expect(
        value(families, "archipelago_http_requests_total", { method, route: template, status }),
        key,
      ).toBeGreaterThan(0);
    }
    for (const sample of samplesOf(families, "archipelago_http_requests_total"))
      expect(sample.labels.route, "no param value in a route label").not.toMatch(/-[0-9a-f]{8}-/);
  });

  it("refuses an unknown or missing token with 401 and says so, echoing nothing", async () => {
    const wrong = `${TOKEN.slice(0, -1)}x`;
    const refused = await scrapeRaw(`Bearer ${wrong}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    expect(JSON.parse(refused.text)).toMatchObject({
      error: { code: "unauthenticated", message: "Unknown metrics token" },
    });
    expect(refused.text).not.toContain(wrong);
    expect(refused.text).not.toContain("archipelago_");

    const missing = await scrapeRaw();
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.text).error.message).toContain("metrics token is required");

    // A signed-in admin's session is not a metrics credential either.
    const bySession = await callRoute(metricsRoute.GET, { path: "/metrics", session: adminSession });
    expect(bySession.status).toBe(401);
  });

  it("answers 404 when no metrics token is configured", async () => {
    setToken(undefined);
    try {
      const response = await scrapeRaw(`Bearer ${TOKEN}`);
      expect(response.status).toBe(404);
      expect(JSON.parse(response.text).error.code).toBe("not_found");
    } finally {
      setToken(TOKEN);
    }
  });

  it("shows each cluster's watch state, objects, last event and health by id and name, and nothing else of it", async () => {
    const inventory = await callRoute(inventoryRoute.GET, {
      path: "/api/v1/inventory?view=configmaps",
      session: adminSession,
    });
    expect(inventory.status).toBe(200);
    const watching = (families: Map<string, Family>, clusterId: string) =>
      value(families, "archipelago_inventory_watch_state", {
        cluster_id: clusterId,
        kind: "configmaps",
        state: "watching",
      });
    const { families, text } = await eventually(scrape, ({ families }) =>
      [clusterA.id, clusterB.id].every((id) => watching(families, id) === 1),
    );
    for (const cluster of [clusterA, clusterB]) {
      const labels = { cluster_id: cluster.id, kind: "configmaps" };
      expect(watching(families, cluster.id)).toBe(1);
      expect(value(families, "archipelago_inventory_watch_state", { ...labels, state: "failed" })).toBe(0);
      expect(value(families, "archipelago_inventory_objects", labels)).toBeGreaterThan(0);
      const lastEvent = value(families, "archipelago_inventory_last_event_timestamp_seconds", labels)!;
      expect(Math.abs(lastEvent - Date.now() / 1000)).toBeLessThan(120);
      expect(value(families, "archipelago_inventory_lag_seconds", labels)).toBeGreaterThanOrEqual(0);
      expect(samplesOf(families, "archipelago_inventory_stale_since_timestamp_seconds", labels)).toEqual([]);
      expect(
        samplesOf(families, "archipelago_cluster_info", { cluster_id: cluster.id, cluster: cluster.name }),
      ).toHaveLength(1);
    }
    expect(
      samplesOf(families, "archipelago_clusters")
        .map((sample) => sample.labels.status)
        .sort(),
    ).toEqual(["never_checked", "reachable", "unreachable"]);
    expect(samplesOf(families, "archipelago_clusters").reduce((sum, sample) => sum + sample.value, 0)).toBe(2);

    // Ids, names and states only: no cluster label, variable, server address or credential.
    const registration = registrationFor(tb, "testbed-1", "x");
    const credential = registration.credential as Record<string, string | undefined>;
    for (const leak of [
      LABEL_CANARY,
      VARIABLE_CANARY,
      registration.server,
      new URL(registration.server).port,
      ...Object.values(credential).filter((part): part is string => typeof part === "string" && part.length > 16),
    ])
      expect(text, "must not appear in /metrics").not.toContain(leak);
  });

  it("reports a cluster whose watch broke as failed with the time it went stale", async () => {
    const started = Date.now() / 1000;
    await fault("testbed-2", "stop");
    const labels = { cluster_id: clusterB.id, kind: "configmaps" };
    const { families } = await eventually(
      scrape,
      ({ families }) => value(families, "archipelago_inventory_watch_state", { ...labels, state: "failed" }) === 1,
    );
    expect(value(families, "archipelago_inventory_watch_state", { ...labels, state: "failed" })).toBe(1);
    expect(value(families, "archipelago_inventory_watch_state", { ...labels, state: "watching" })).toBe(0);
    const staleSince = value(families, "archipelago_inventory_stale_since_timestamp_seconds", labels)!;
    expect(staleSince).toBeGreaterThanOrEqual(Math.floor(started));
    // The other cluster is untouched.
    expect(
      value(families, "archipelago_inventory_watch_state", {
        cluster_id: clusterA.id,
        kind: "configmaps",
        state: "watching",
      }),
    ).toBe(1);
    await fault("testbed-2", "resume");
  });

  it("counts waiting jobs per queue and rollouts and targets by state", async () => {
    await startQueue(process.env.DATABASE_URL!);
    await enqueue(QUEUES.advance, { rolloutId: randomUUID() }, new Date(Date.now() + 3_600_000));
    const { families } = await scrape();
    expect(value(families, "archipelago_job_queue_depth", { queue: QUEUES.advance })).toBe(1);
    expect(value(families, "archipelago_job_queue_depth", { queue: QUEUES.target })).toBe(0);
    expect(value(families, "archipelago_rollouts", { state: "running" })).toBe(0);
    expect(value(families, "archipelago_rollout_targets", { state: "pending" })).toBe(0);
    expect(value(families, "archipelago_metrics_collector_error", { collector: "rollouts" })).toBe(0);
    expect(value(families, "archipelago_metrics_collector_error", { collector: "job_queue" })).toBe(0);
  });

  it("answers within the collector time limit while a table is locked, leaving that collector out and flagged", async () => {
    const locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE rollout_targets IN ACCESS EXCLUSIVE MODE");
      const started = performance.now();
      const { families } = await scrape();
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(COLLECT_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(COLLECT_TIMEOUT_MS + 1500);
      expect(value(families, "archipelago_metrics_collector_error", { collector: "rollouts" })).toBe(1);
      expect(samplesOf(families, "archipelago_rollouts")).toEqual([]);
      // Everything else is still there.
      expect(value(families, "archipelago_metrics_collector_error", { collector: "clusters" })).toBe(0);
      expect(samplesOf(families, "archipelago_cluster_info")).toHaveLength(2);
    } finally {
      await locker.query("ROLLBACK");
      await locker.end();
    }
    const { families } = await scrape();
    expect(value(families, "archipelago_metrics_collector_error", { collector: "rollouts" })).toBe(0);
    expect(value(families, "archipelago_rollouts", { state: "running" })).toBe(0);
  });
});
