import { beforeAll, describe, expect, it } from "vitest";
import { seedTestbed, type Testbed } from "@/testbed/harness";
import * as clustersRoute from "@/app/api/v1/clusters/route";
import * as inventoryRoute from "@/app/api/v1/inventory/route";
import * as overviewRoute from "@/app/api/v1/overview/route";
import * as releasesRoute from "@/app/api/v1/releases/route";
import * as rolloutRoute from "@/app/api/v1/rollouts/[id]/route";
import * as rolloutsRoute from "@/app/api/v1/rollouts/route";
import type { ClusterListResponse } from "@/lib/api/cluster-types";
import type { InventoryResponse } from "@/lib/api/inventory-types";
import type { OverviewResponse } from "@/lib/api/overview-types";
import type { ReleasePage, RolloutDetail, RolloutPage } from "@/lib/api/rollout-types";
import { HEALTH_STATES } from "@/lib/k8s/kinds";
import { createSession } from "@/lib/server/auth/sessions";
import { registerCluster } from "@/lib/server/clusters/register";
import { db } from "@/lib/server/db/client";
import { resetFleetIndex } from "@/lib/testing/fleet-index";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { createAccessFixtures, type AccessFixtures } from "@/lib/testing/access-fixtures";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";

/**
 * The overview's numbers against the endpoints behind its links, through the real handlers,
 * database and testbed clusters: for an admin, and for a team that sees two of three clusters
 * (the third, and what lives only there, must not count anywhere).
 */

let tb: Testbed;
let f: AccessFixtures;
let clusterC: { id: string; name: string };
let teamSession: string;
let hiddenRelease: string;

async function get<T>(handler: Parameters<typeof callRoute>[0], path: string, session: string, params = {}) {
  const response = await callRoute(handler, { path, session, params });
  expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body as T;
}

const overview = (session: string) => get<OverviewResponse>(overviewRoute.GET, "/api/v1/overview", session);

/** What the other endpoints say, gathered the way the overview's links ask for it. */
async function viaOtherEndpoints(session: string, names: string[]) {
  const clusters = await get<ClusterListResponse>(clustersRoute.GET, "/api/v1/clusters?pageSize=500", session);
  const cells: Record<string, Record<string, number>> = {};
  const totals: Record<string, number> = {};
  for (const health of HEALTH_STATES) {
    const all = await get<InventoryResponse>(
      inventoryRoute.GET,
      `/api/v1/inventory?view=workloads&health=${health}&pageSize=1`,
      session,
    );
    totals[health] = all.total;
    for (const name of names) {
      const one = await get<InventoryResponse>(
        inventoryRoute.GET,
        `/api/v1/inventory?view=workloads&health=${health}&clusters=${name}&pageSize=1`,
        session,
      );
      (cells[name] ??= {})[health] = one.total;
    }
  }
  const rollouts = await get<RolloutPage>(rolloutsRoute.GET, "/api/v1/rollouts?pageSize=200", session);
  const inFlight = rollouts.rollouts.filter((r) => ["running", "paused", "rolling_back"].includes(r.state));
  const details = await Promise.all(
    inFlight.map(async (r) => {
      const answer = await get<{ rollout: RolloutDetail }>(rolloutRoute.GET, `/api/v1/rollouts/${r.id}`, session, {
        id: r.id,
      });
      return answer.rollout;
    }),
  );
  const releases = await get<ReleasePage>(releasesRoute.GET, "/api/v1/releases?pageSize=200", session);
  return { clusters, cells, totals, details, drifted: releases.releases.filter((r) => r.drifted > 0) };
}

/** The testbed's workloads move (a flaky worker restarts): compare snapshots until two agree, with a deadline. */
async function expectSameAsOtherEndpoints(session: string, expectedClusters: string[]) {
  const until = Date.now() + 60_000;
  for (;;) {
    const before = await overview(session);
    const names = before.workloads.clusters.map((c) => c.name);
    expect(names).toEqual(expectedClusters);
    const other = await viaOtherEndpoints(session, names);
    const after = await overview(session);
    const cells = Object.fromEntries(after.workloads.clusters.map((c) => [c.name, c.workloads]));
    const agree =
      JSON.stringify(before.workloads) === JSON.stringify(after.workloads) &&
      after.workloads.clusters.every((c) => c.inventory === "ok") &&
      JSON.stringify(cells) === JSON.stringify(other.cells) &&
      JSON.stringify(after.workloads.totals) === JSON.stringify(other.totals);
    if (agree || Date.now() > until) {
      expect(cells).toEqual(other.cells);
      expect(after.workloads.totals).toEqual(other.totals);
      expect(after.clusters.total).toBe(other.clusters.counts.total);
      expect(after.clusters.byStatus).toEqual({
        never_checked: other.clusters.counts.never_checked,
        reachable: other.clusters.counts.reachable,
        unreachable: other.clusters.counts.unreachable,
      });
      expect(after.rollouts.total).toBe(other.details.length);
      expect(after.rollouts.items.map((r) => [r.id, r.currentWave, r.waves, r.targets, r.succeeded, r.failed])).toEqual(
        other.details.map((d) => [
          d.id,
          d.currentWave,
          d.waves.length,
          d.targets.length,
          d.targets.filter((t) => t.state === "succeeded").length,
          d.targets.filter((t) => t.state === "failed").length,
        ]),
      );
      expect(after.releases.items.map((r) => [r.name, r.drifted, r.clusters])).toEqual(
        other.drifted.map((r) => [r.name, r.drifted, r.clusters]),
      );
      return after;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  tb = await testbed();
  await seedTestbed({ scale: 1, seed: 1 });
  await resetFleetIndex();
  forgetAllTransports();
  await resetDatabase();
  f = await createAccessFixtures(tb);
  const c = await registerCluster(registrationFor(tb, "testbed-3", "cluster-c", { labels: { team: "gamma" } }));
  clusterC = { id: c.id, name: c.name };

  // A team that sees two of the three clusters, whole.
  const pair = await db().team.create({ data: { name: "pair" } });
  await db().grant.create({
    data: { teamId: pair.id, clusterIds: [f.clusterA.id, clusterC.id], namespaces: ["*"], level: "view" },
  });
  const user = await db().user.create({ data: { email: "pair@example.com", name: "pair", passwordHash: "x" } });
  await db().membership.create({ data: { teamId: pair.id, userId: user.id, role: "member" } });
  teamSession = (await createSession(user.id, { clientIp: "127.0.0.1", userAgent: "overview test" })).token;

  // Drift the team can see (cluster A) and drift only on the hidden cluster B.
  await db().releaseCluster.updateMany({
    where: { releaseId: f.release, clusterId: f.clusterA.id },
    data: {
      driftState: "drifted",
      driftDetails: [{ kind: "ConfigMap", namespace: "team-a", name: "demo-config", problem: "changed" }],
    },
  });
  const template = await db().template.findUniqueOrThrow({ where: { id: f.template.id } });
  const hidden = await db().release.create({ data: { name: "only-on-b", templateId: template.id } });
  hiddenRelease = hidden.id;
  await db().releaseCluster.create({
    data: {
      releaseId: hidden.id,
      clusterId: f.clusterB.id,
      revisionId: f.template.revisionId,
      revisionNumber: 1,
      params: {},
      objects: [{ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "hidden-config" }],
      driftState: "drifted",
      driftDetails: [{ kind: "ConfigMap", namespace: "default", name: "hidden-config", problem: "changed" }],
      appliedAt: new Date(),
    },
  });
}, 600_000);

describe("GET /api/v1/overview", () => {
  it("gives an admin every cluster, and numbers equal to the other endpoints'", async () => {
    const answer = await expectSameAsOtherEndpoints(f.users.admin.session, ["cluster-a", "cluster-b", "cluster-c"]);
    expect(answer.clusters.total).toBe(3);
    expect(answer.releases.items.map((r) => r.id)).toEqual(expect.arrayContaining([f.release, hiddenRelease]));
    expect(answer.rollouts.items.map((r) => r.id)).toContain(f.spanningRollout);
    // The seeded testbed runs workloads on every cluster: the heat map is not empty.
    expect(Object.values(answer.workloads.totals).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 180_000);

  it("gives a team that sees two clusters only those, and counts nothing from the third", async () => {
    const answer = await expectSameAsOtherEndpoints(teamSession, ["cluster-a", "cluster-c"]);
    const admin = await overview(f.users.admin.session);
    expect(answer.clusters.total).toBe(2);
    const text = JSON.stringify(answer);
    expect(text).not.toContain(f.clusterB.id);
    expect(text).not.toContain("cluster-b");
    expect(text).not.toContain(hiddenRelease);
    expect(answer.releases.items.map((r) => r.id)).toEqual([f.release]);
    // The spanning rollout shows only its target on cluster A.
    const spanning = answer.rollouts.items.find((r) => r.id === f.spanningRollout);
    expect(spanning?.targets).toBe(1);
    // Workloads: the team's totals are the sum of its two clusters, less than the admin's three.
    const sum = (o: OverviewResponse, names: string[]) =>
      o.workloads.clusters
        .filter((c) => names.includes(c.name))
        .reduce((n, c) => n + Object.values(c.workloads).reduce((a, b) => a + b, 0), 0);
    expect(Object.values(answer.workloads.totals).reduce((a, b) => a + b, 0)).toBe(
      sum(answer, ["cluster-a", "cluster-c"]),
    );
    expect(sum(admin, ["cluster-b"])).toBeGreaterThan(0);
  }, 180_000);

  it("answers 401 to no one", async () => {
    const response = await callRoute(overviewRoute.GET, { path: "/api/v1/overview" });
    expect(response.status).toBe(401);
  });
});
