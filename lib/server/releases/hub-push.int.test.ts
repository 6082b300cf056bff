import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fault, type Testbed } from "@/testbed/harness";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { resetEnvForTests } from "@/lib/server/config/env";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import type { Manifest } from "@/lib/server/templates/documents";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { executor } from "./hub-push";
import type { ObjectRef } from "@/lib/server/templates/desired";

/**
 * The hub-push executor against real API servers: apply order across tiers, and the
 * health gate's wait (a watch from the version read) ending on a change, on its timer,
 * and on its timer when the cluster hangs.
 */

let tb: Testbed;
let clusterId: string;
let hangingId: string;
const NAMESPACE = "hub-push-tiers";

const paused: Manifest = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "hub-push-paused", namespace: "team-a" },
  spec: {
    paused: true,
    replicas: 1,
    selector: { matchLabels: { app: "hub-push-paused" } },
    template: {
      metadata: { labels: { app: "hub-push-paused" } },
      spec: { containers: [{ name: "app", image: "registry.local/paused:1" }] },
    },
  },
};
const pausedRef: ObjectRef = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  namespace: "team-a",
  name: "hub-push-paused",
};

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

beforeAll(async () => {
  tb = await testbed();
  process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = "2000";
  resetEnvForTests();
  forgetAllTransports();
  await resetDatabase();
  clusterId = (await registerCluster(registrationFor(tb, "testbed-1", "hp-1"))).id;
  hangingId = (await registerCluster(registrationFor(tb, "testbed-3", "hp-3"))).id;
  const transport = await transportFor(clusterId);
  await transport.request({ method: "DELETE", path: `/api/v1/namespaces/${NAMESPACE}` });
  const outcomes = await executor.apply(clusterId, [paused], { dryRun: false, force: true });
  expect(outcomes[0]?.action).toMatch(/created|configured/);
});

afterAll(async () => {
  await fault("testbed-3", "resume");
  const transport = await transportFor(clusterId);
  await transport.request({ method: "DELETE", path: `/api/v1/namespaces/${NAMESPACE}` });
  await transport.request({ method: "DELETE", path: "/apis/apps/v1/namespaces/team-a/deployments/hub-push-paused" });
});

describe("hub-push executor", () => {
  it("applies a Namespace before the objects in it, even when the template lists it last", async () => {
    const configMap: Manifest = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "in-new-namespace", namespace: NAMESPACE },
      data: { a: "1" },
    };
    const namespace: Manifest = { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } };
    const outcomes = await executor.apply(clusterId, [configMap, namespace], { dryRun: false, force: false });
    // Outcomes keep the template's order.
    expect(outcomes.map((o) => [o.ref.kind, o.action])).toEqual([
      ["ConfigMap", "created"],
      ["Namespace", "created"],
    ]);
    const [live] = await executor.read(clusterId, [
      { apiVersion: "v1", kind: "ConfigMap", namespace: NAMESPACE, name: "in-new-namespace" },
    ]);
    expect((live as { data?: Record<string, string> }).data).toEqual({ a: "1" });
  });

  it("a wait on a workload that is not ready ends at its first change, not on the timer", async () => {
    const [observed] = await executor.health(clusterId, [pausedRef]);
    expect(observed?.health).toBe("suspended");
    expect(observed?.resourceVersion).toBeTruthy();

    const transport = await transportFor(clusterId);
    const change = setTimeout(() => {
      void transport.request({
        method: "PATCH",
        path: "/apis/apps/v1/namespaces/team-a/deployments/hub-push-paused",
        body: { metadata: { annotations: { "hub-push/changed": String(Date.now()) } } },
        contentType: "application/merge-patch+json",
      });
    }, 300);
    const waited = await timed(() => executor.waitForChange(clusterId, [observed!], 30_000));
    clearTimeout(change);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(20_000);
  });

  it("without a change the wait lasts maxWaitMs, and the caller's abort ends it at once", async () => {
    const [observed] = await executor.health(clusterId, [pausedRef]);
    const waited = await timed(() => executor.waitForChange(clusterId, [observed!], 1500));
    expect(waited).toBeGreaterThanOrEqual(1400);
    expect(waited).toBeLessThan(15_000);
    // An abort from the caller (an aborted rollout) ends it at once.
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    expect(await timed(() => executor.waitForChange(clusterId, [observed!], 30_000, abort.signal))).toBeLessThan(
      15_000,
    );
  });

  it("a hanging cluster costs the wait its timer, nothing more", async () => {
    const [observed] = await executor.health(hangingId, [
      { apiVersion: "v1", kind: "ServiceAccount", namespace: "team-a", name: "default" },
    ]);
    await fault("testbed-3", "hang");
    try {
      const waited = await timed(() =>
        executor.waitForChange(hangingId, [{ ...observed!, health: "progressing" }], 1500),
      );
      expect(waited).toBeGreaterThanOrEqual(1400);
      expect(waited).toBeLessThan(15_000);
    } finally {
      await fault("testbed-3", "resume");
    }
  });
});
