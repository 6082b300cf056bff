/**
 * Proof that the cronjob controller runs: a CronJob scheduled every minute
 * creates a Job that completes. Apart from the other workloads because it
 * waits for the next minute boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clientsFor,
  createNamespace,
  deleteNamespace,
  startTestbed,
  uniqueNamespace,
  waitFor,
  type Clients,
} from "./support";

describe("CronJob on a testbed cluster", () => {
  let c: Clients;
  const ns = uniqueNamespace("proof-cron");

  beforeAll(async () => {
    const tb = await startTestbed();
    c = clientsFor(tb, tb.contexts[0]!);
    await createNamespace(c, ns);
  });

  afterAll(async () => {
    if (c) await deleteNamespace(c, ns);
  });

  it("creates a Job on schedule, and the Job completes", async () => {
    await c.batch.createNamespacedCronJob({
      namespace: ns,
      body: {
        metadata: { name: "tick" },
        spec: {
          schedule: "* * * * *",
          jobTemplate: {
            spec: {
              template: {
                spec: { restartPolicy: "Never", containers: [{ name: "tick", image: "registry.local/proof/tick:1" }] },
              },
            },
          },
        },
      },
    });
    const job = await waitFor(
      "a completed Job owned by tick",
      async () => {
        const jobs = await c.batch.listNamespacedJob({ namespace: ns });
        return jobs.items.find(
          (j) =>
            j.metadata?.ownerReferences?.some((o) => o.kind === "CronJob" && o.name === "tick") &&
            j.status?.conditions?.some((x) => x.type === "Complete" && x.status === "True"),
        );
      },
      80_000,
    );
    expect(job.status?.succeeded).toBe(1);
    const cron = await c.batch.readNamespacedCronJob({ name: "tick", namespace: ns });
    expect(cron.status?.lastScheduleTime).toBeDefined();
  }, 90_000);
});
