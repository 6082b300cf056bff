/**
 * Proof that testbed clusters run workloads like real clusters: controllers,
 * scheduler and kwok turn specs into Ready pods and honest status.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PatchStrategy, type V1Deployment } from "@kubernetes/client-node";
import { failLabel } from "../harness";
import {
  clientsFor,
  createNamespace,
  deleteNamespace,
  startTestbed,
  uniqueNamespace,
  waitFor,
  type Clients,
} from "./support";

const fieldManager = "testbed-proof";

function deployment(
  namespace: string,
  name: string,
  replicas: number,
  podLabels: Record<string, string> = {},
): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...podLabels } },
        spec: { containers: [{ name: "main", image: "registry.local/proof/web:1.0" }] },
      },
    },
  };
}

function condition(d: V1Deployment, type: string) {
  return d.status?.conditions?.find((c) => c.type === type);
}

describe("workloads on a testbed cluster", () => {
  let c: Clients;
  const ns = uniqueNamespace("proof-workloads");

  beforeAll(async () => {
    const tb = await startTestbed();
    c = clientsFor(tb, tb.contexts[0]!);
    await createNamespace(c, ns);
  });

  afterAll(async () => {
    if (c) await deleteNamespace(c, ns);
  });

  it("a Deployment applied with server-side apply becomes Available with Ready pods", async () => {
    await c.objects.patch(
      deployment(ns, "web", 3),
      undefined,
      undefined,
      fieldManager,
      true,
      PatchStrategy.ServerSideApply,
    );

    const d = await waitFor("web to be available", async () => {
      const d = await c.apps.readNamespacedDeployment({ name: "web", namespace: ns });
      return d.status?.readyReplicas === 3 && condition(d, "Progressing")?.reason === "NewReplicaSetAvailable"
        ? d
        : undefined;
    });
    expect(d.status?.availableReplicas).toBe(3);
    expect(condition(d, "Available")?.status).toBe("True");
    expect(d.metadata?.managedFields?.some((f) => f.manager === fieldManager && f.operation === "Apply")).toBe(true);

    const rs = await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=web" });
    expect(rs.items).toHaveLength(1);
    expect(rs.items[0]?.status?.readyReplicas).toBe(3);

    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: "app=web" });
    expect(pods.items).toHaveLength(3);
    for (const pod of pods.items) {
      expect(pod.status?.phase).toBe("Running");
      expect(pod.spec?.nodeName).toMatch(/^kwok-node-/);
      expect(pod.status?.conditions?.find((x) => x.type === "Ready")?.status).toBe("True");
    }
  });

  it(`a Deployment whose pods carry ${failLabel}=true stays unavailable`, async () => {
    const broken = deployment(ns, "broken", 2, { [failLabel]: "true" });
    // The rollout is reported failed within seconds instead of ten minutes.
    broken.spec!.progressDeadlineSeconds = 5;
    await c.objects.patch(broken, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);

    // The rollout gives up (ProgressDeadlineExceeded) while no pod is Ready.
    const d = await waitFor("broken to exceed its progress deadline", async () => {
      const d = await c.apps.readNamespacedDeployment({ name: "broken", namespace: ns });
      return condition(d, "Progressing")?.reason === "ProgressDeadlineExceeded" ? d : undefined;
    });
    expect(d.status?.readyReplicas ?? 0).toBe(0);
    expect(d.status?.availableReplicas ?? 0).toBe(0);
    expect(condition(d, "Available")?.status).not.toBe("True");

    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: "app=broken" });
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.status?.phase).toBe("Running");
      expect(pod.status?.conditions?.find((x) => x.type === "Ready")?.status).toBe("False");
      expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe("CrashLoopBackOff");
    }
  });

  it("an image name containing 'fail' also keeps pods from becoming Ready", async () => {
    const d = deployment(ns, "bad-image", 1);
    d.spec!.template.spec!.containers[0]!.image = "registry.local/proof/fail-on-start:1.0";
    await c.apps.createNamespacedDeployment({ namespace: ns, body: d });
    const pod = await waitFor("the bad-image pod to run", async () => {
      const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: "app=bad-image" });
      const p = pods.items[0];
      return p?.status?.phase === "Running" ? p : undefined;
    });
    expect(pod.status?.conditions?.find((x) => x.type === "Ready")?.status).toBe("False");
  });

  it("a StatefulSet becomes ready with ordered pods", async () => {
    await c.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: {
        metadata: { name: "db" },
        spec: {
          replicas: 2,
          serviceName: "db",
          selector: { matchLabels: { app: "db" } },
          template: {
            metadata: { labels: { app: "db" } },
            spec: { containers: [{ name: "db", image: "registry.local/proof/db:15" }] },
          },
        },
      },
    });
    const sts = await waitFor("db to be ready", async () => {
      const s = await c.apps.readNamespacedStatefulSet({ name: "db", namespace: ns });
      return s.status?.readyReplicas === 2 && s.status.availableReplicas === 2 ? s : undefined;
    });
    expect(sts.status?.currentReplicas).toBe(2);
    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: "app=db" });
    expect(pods.items.map((p) => p.metadata?.name).sort()).toEqual(["db-0", "db-1"]);
  });

  it("a DaemonSet gets one Ready pod on every simulated node", async () => {
    const nodes = await c.core.listNode({ labelSelector: "type=kwok" });
    expect(nodes.items.length).toBeGreaterThan(0);
    await c.apps.createNamespacedDaemonSet({
      namespace: ns,
      body: {
        metadata: { name: "agent" },
        spec: {
          selector: { matchLabels: { app: "agent" } },
          template: {
            metadata: { labels: { app: "agent" } },
            spec: { containers: [{ name: "agent", image: "registry.local/proof/agent:2" }] },
          },
        },
      },
    });
    const ds = await waitFor("agent to be scheduled everywhere", async () => {
      const d = await c.apps.readNamespacedDaemonSet({ name: "agent", namespace: ns });
      return d.status?.numberReady === nodes.items.length ? d : undefined;
    });
    expect(ds.status?.desiredNumberScheduled).toBe(nodes.items.length);
    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: "app=agent" });
    expect(new Set(pods.items.map((p) => p.spec?.nodeName))).toEqual(new Set(nodes.items.map((n) => n.metadata?.name)));
  });

  it("a Job runs to completion", async () => {
    await c.batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: "once" },
        spec: {
          completions: 2,
          template: {
            spec: { restartPolicy: "Never", containers: [{ name: "job", image: "registry.local/proof/job:1" }] },
          },
        },
      },
    });
    const job = await waitFor("once to complete", async () => {
      const j = await c.batch.readNamespacedJob({ name: "once", namespace: ns });
      return j.status?.conditions?.some((x) => x.type === "Complete" && x.status === "True") ? j : undefined;
    });
    expect(job.status?.succeeded).toBe(2);
  });
});
