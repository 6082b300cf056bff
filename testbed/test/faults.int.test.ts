/**
 * Proof of the fault commands, seen from a client: stop refuses connections,
 * hang times requests out, slow delays them, resume restores, and a fault on
 * one cluster leaves the others answering.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fault, resumeAll } from "../harness";
import { clientsFor, errorOf, startTestbed, waitFor, withTimeout, type Clients } from "./support";

describe("fault injection", () => {
  let target: Clients;
  let other: Clients;
  let targetName: string;

  beforeAll(async () => {
    const tb = await startTestbed();
    targetName = tb.clusters[1]!.name;
    target = clientsFor(tb, tb.clusters[1]!.context);
    other = clientsFor(tb, tb.clusters[0]!.context);
  });

  afterEach(async () => {
    await fault(targetName, "resume");
  });

  afterAll(async () => {
    await resumeAll();
  });

  /** A namespace list with a client-side timeout, timed. */
  async function timedList(c: Clients, timeoutMs: number) {
    const began = Date.now();
    const result = await c.core.listNamespace({}, withTimeout(timeoutMs));
    return { result, ms: Date.now() - began };
  }

  it("stop: connections are refused at once; resume: answers again", async () => {
    await fault(targetName, "stop");
    const began = Date.now();
    const error = await errorOf(target.core.listNamespace({}, withTimeout(5_000)));
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(`${error.code ?? ""} ${error.message}`).toMatch(/ECONNREFUSED/);
    expect((await timedList(other, 5_000)).result.items.length).toBeGreaterThan(0);

    await fault(targetName, "resume");
    expect((await timedList(target, 5_000)).result.items.length).toBeGreaterThan(0);
  });

  it("hang: requests time out on the client while other clusters answer", async () => {
    await fault(targetName, "hang");
    const began = Date.now();
    const error = await errorOf(target.core.listNamespace({}, withTimeout(1_000)));
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(15_000);
    expect(`${error.name} ${error.type ?? ""} ${error.message}`).toMatch(/abort/i);

    const healthy = await timedList(other, 5_000);
    expect(healthy.result.items.length).toBeGreaterThan(0);
    expect(healthy.ms).toBeLessThan(10_000);
  });

  it("slow --latency 2s: requests succeed and take at least 2 s", async () => {
    await fault(targetName, "slow", { latency: "2s" });
    const slow = await timedList(target, 15_000);
    expect(slow.result.items.length).toBeGreaterThan(0);
    expect(slow.ms).toBeGreaterThanOrEqual(2_000);

    const healthy = await timedList(other, 5_000);
    expect(healthy.ms).toBeLessThan(10_000);

    await fault(targetName, "resume");
    const resumed = await waitFor("a fast answer after resume", async () => {
      const r = await timedList(target, 5_000);
      return r.ms < 1_000 ? r : undefined;
    });
    expect(resumed.result.items.length).toBeGreaterThan(0);
  });
});
