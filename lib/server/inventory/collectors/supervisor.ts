import "server-only";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { onClusterConnectionGone } from "@/lib/server/clusters/changes";
import { logger } from "@/lib/server/log/logger";
import { Collector } from "./collector";
import {
  INSTANCE_PREFIX,
  RENEW_MS,
  claim,
  ensureWanted,
  fleetShape,
  heartbeat,
  leaveFleet,
  release,
  renew,
  type LeaseRow,
} from "./lease";

/**
 * One per app process: keeps an inventory_collectors row per (registered cluster, kind),
 * renews this instance's leases, takes its share of the free ones (at most
 * ceil(collectors / live instances), so collectors spread evenly and a second instance gets
 * half), gives back what is over its share, and runs one Collector per lease it holds.
 * Started with the other background work (runtime/background.ts), and by the first inventory
 * read of a process that has none (a test process calling routes in-process).
 */

const keyOf = (lease: { clusterId: string; kind: string }) => `${lease.clusterId}/${lease.kind}`;

class Supervisor {
  readonly id = `${INSTANCE_PREFIX}${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private readonly collectors = new Map<string, Collector>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  start(): void {
    this.timer = setInterval(() => void this.tick(), RENEW_MS);
    this.timer.unref();
    void this.tick();
  }

  /** Runs a tick now (or right after the one in progress): a reader is waiting for a collector. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.once();
        } while (this.again && !this.stopped);
      } catch (error) {
        logger.warn({ errorName: error instanceof Error ? error.name : "unknown" }, "inventory supervisor tick failed");
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async once(): Promise<void> {
    await heartbeat(this.id);
    await ensureWanted();
    const held = await renew(this.id);
    if (this.stopped) return;
    const heldKeys = new Set(held.map(keyOf));
    // Lost (expired while we stalled, or the cluster is gone): stop at once.
    for (const [key, collector] of this.collectors) if (!heldKeys.has(key)) this.stopCollector(key, collector);

    const { wanted, instances } = await fleetShape(this.id);
    const share = Math.ceil(wanted / Math.max(1, instances));
    if (held.length > share) {
      const excess = held.slice(share);
      for (const lease of excess) {
        const collector = this.collectors.get(keyOf(lease));
        if (collector) this.stopCollector(keyOf(lease), collector);
      }
      // Stopped before released: two watches of one (cluster, kind) never overlap on purpose.
      await release(this.id, excess);
      held.splice(share);
    }
    const claimed = held.length < share ? await claim(this.id, share - held.length) : [];
    if (this.stopped) {
      await release(this.id, claimed);
      return;
    }
    for (const lease of [...held, ...claimed]) this.ensureRunning(lease);
  }

  private ensureRunning(lease: LeaseRow): void {
    const key = keyOf(lease);
    const current = this.collectors.get(key);
    if (current && !current.stopped && current.revision === lease.revision) return;
    current?.stop();
    const holder = { clusterId: lease.clusterId, kind: lease.kind, holder: this.id };
    const collector: Collector = new Collector(
      holder,
      lease.revision,
      () => {
        if (this.collectors.get(key) === collector) this.collectors.delete(key);
      },
      lease.resumeFrom ?? null,
    );
    this.collectors.set(key, collector);
  }

  private stopCollector(key: string, collector: Collector): void {
    collector.stop();
    if (this.collectors.get(key) === collector) this.collectors.delete(key);
  }

  /** Stops this cluster's collectors now; the next tick restarts them (new credential or settings). */
  restartCluster(clusterId: string): void {
    for (const [key, collector] of this.collectors)
      if (collector.clusterId === clusterId) this.stopCollector(key, collector);
    void this.tick();
  }

  held(): Array<{ clusterId: string; kind: string }> {
    return [...this.collectors.values()].map((c) => ({ clusterId: c.clusterId, kind: c.kind }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    const collectors = [...this.collectors.values()];
    for (const collector of collectors) collector.stop();
    this.collectors.clear();
    await Promise.all(collectors.map((collector) => collector.done.catch(() => undefined)));
    // Handed back at once, so another instance need not wait for the leases to run out.
    await release(this.id, "all").catch(() => undefined);
    await leaveFleet(this.id).catch(() => undefined);
  }
}

// On globalThis: the start script and Next's server bundles share one supervisor.
const globalForSupervisor = globalThis as unknown as { archipelagoCollectors?: Supervisor };

/** Starts this process's supervisor (idempotent). */
export function startCollectors(): { id: string } {
  if (!globalForSupervisor.archipelagoCollectors) {
    const supervisor = new Supervisor();
    globalForSupervisor.archipelagoCollectors = supervisor;
    supervisor.start();
  }
  return { id: globalForSupervisor.archipelagoCollectors.id };
}

/** A reader found collectors missing or unclaimed: claim now instead of at the next tick. */
export function nudgeCollectors(): Promise<void> {
  startCollectors();
  return globalForSupervisor.archipelagoCollectors!.tick();
}

/** Which (cluster, kind) collectors run in this process (tests and diagnostics). */
export function collectorsInProcess(): Array<{ clusterId: string; kind: string }> {
  return globalForSupervisor.archipelagoCollectors?.held() ?? [];
}

/** Stops this process's collectors and gives their leases back (shutdown, end of a test file). */
export async function stopCollectorsInProcess(): Promise<void> {
  const supervisor = globalForSupervisor.archipelagoCollectors;
  globalForSupervisor.archipelagoCollectors = undefined;
  await supervisor?.stop();
}

onClusterConnectionGone("inventory-collectors", (clusterId) =>
  globalForSupervisor.archipelagoCollectors?.restartCluster(clusterId),
);
