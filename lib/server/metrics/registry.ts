import "server-only";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { logger } from "@/lib/server/log/logger";

/**
 * The one Prometheus registry of this process, on globalThis: the start script and Next's
 * server bundles may each load this module, and prom-client refuses a second metric of the
 * same name, so every metric is created once through `defineOnce` and shared.
 *
 * Collectors that read the database or the job queue run inside a scrape (`collect()`), each
 * bounded by COLLECT_TIMEOUT_MS through `bounded()`: a slow or locked table leaves that
 * collector's samples out and sets archipelago_metrics_collector_error{collector} to 1, but
 * never holds the scrape.
 */

export const COLLECT_TIMEOUT_MS = 2000;

interface MetricsState {
  registry: Registry;
  defined: Map<string, unknown>;
  /** Bounded reads of scrapes in progress; the error gauge waits for them. */
  pending: Set<Promise<void>>;
  /** Collector name → whether its latest read failed or timed out. */
  failed: Map<string, boolean>;
  /** Bumped at the start of every scrape, so reads shared within one scrape are never reused by the next. */
  scrape: number;
}

const globalForMetrics = globalThis as unknown as { archipelagoMetrics?: MetricsState };

function state(): MetricsState {
  if (globalForMetrics.archipelagoMetrics) return globalForMetrics.archipelagoMetrics;
  const registry = new Registry();
  const created: MetricsState = {
    registry,
    defined: new Map(),
    pending: new Set(),
    failed: new Map(),
    scrape: 0,
  };
  globalForMetrics.archipelagoMetrics = created;
  // CPU, resident memory, heap, event loop lag, open handles: prom-client's standard names.
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "archipelago_metrics_collector_error",
    help: "1 when a collector's read failed or timed out in this scrape (its samples are left out), else 0",
    labelNames: ["collector"],
    registers: [registry],
    async collect() {
      // Every metric's collect() is started in the same tick (Registry.metrics maps them all
      // before awaiting); one turn later all of this scrape's bounded reads are pending.
      await Promise.resolve();
      await Promise.allSettled([...created.pending]);
      this.reset();
      for (const [collector, failed] of created.failed) this.set({ collector }, failed ? 1 : 0);
    },
  });
  return created;
}

export function metricsRegistry(): Registry {
  return state().registry;
}

/** Creates a metric (or a group of them) once per process, whichever bundle asks first. */
export function defineOnce<T>(key: string, create: (registry: Registry) => T): T {
  const { defined, registry } = state();
  if (!defined.has(key)) defined.set(key, create(registry));
  return defined.get(key) as T;
}

class CollectTimeout extends Error {
  constructor() {
    super("collector timed out");
    this.name = "CollectTimeout";
  }
}

/**
 * Reads for one collector within the time limit, then applies the result. A late answer is
 * dropped (never applied after the scrape moved on); a failure is logged by its type only.
 */
export function bounded<T>(
  collector: string,
  read: () => Promise<T>,
  apply: (value: T) => void,
  timeoutMs: number = COLLECT_TIMEOUT_MS,
): Promise<void> {
  const { pending, failed } = state();
  const run = (async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CollectTimeout()), timeoutMs);
        }),
      ]);
      apply(value);
      failed.set(collector, false);
    } catch (error) {
      failed.set(collector, true);
      logger.warn(
        { collector, errorName: error instanceof Error ? error.name : "unknown" },
        "metrics collector failed; its samples are left out of this scrape",
      );
    } finally {
      clearTimeout(timer);
    }
  })();
  pending.add(run);
  void run.finally(() => pending.delete(run));
  return run;
}

/** Marks the start of a scrape (see sharedRead). */
export function beginScrape(): void {
  state().scrape += 1;
}

/**
 * One read shared by the several metrics a scrape fills from it (collect() runs per metric):
 * within one scrape every caller gets the same read; the next scrape reads afresh.
 */
export function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let last: { scrape: number; value: Promise<T> } | undefined;
  return () => {
    const scrape = state().scrape;
    if (last?.scrape !== scrape) last = { scrape, value: read() };
    return last.value;
  };
}
