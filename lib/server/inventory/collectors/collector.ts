import "server-only";
import pLimit from "p-limit";
import { KINDS, type InventoryKind } from "@/lib/k8s/kinds";
import { transportFor } from "@/lib/server/clusters/connection";
import { ClusterCallError, classifyClusterError } from "@/lib/server/kube/errors";
import type { ClusterTransport } from "@/lib/server/kube/transport";
import { logger } from "@/lib/server/log/logger";
import {
  projectConfigMap,
  projectSecretRow,
  projectWorkload,
  type InventoryItem,
  type KubeObject,
  type SecretTableRow,
} from "../project";
import {
  finishList,
  markResumed,
  recordFailure,
  toIndexRow,
  writeBatch,
  type Holder,
  type IndexRow,
} from "./batch-writer";

/**
 * The collector of one kind on one cluster, run by the instance holding its lease
 * (supervisor.ts): list then watch (the informer pattern) over our own transport, so it gets
 * the same address guard, keep-alive pool and timeouts as every other cluster call. It keeps
 * nothing in memory beyond the batch being written: projections go to the fleet index
 * (batch-writer.ts). Secrets are listed and watched as server-side Tables with metadata only,
 * so no secret value ever reaches this process.
 *
 * After a failure it records the error on its row and backs off exponentially (1 s … 60 s)
 * before listing again: a dead cluster is retried, not hammered. A 410 (history compacted)
 * re-lists at once. A collector that takes over a (cluster, kind) the index already holds
 * resumes the watch at the resourceVersion written last (see lease.ts resumeFrom) instead of
 * listing again, so a restart does not re-read the fleet.
 */

const PAGE_SIZE = 500;
const WATCH_SECONDS = 240;
const MAX_BACKOFF_MS = 60_000;
/** Watch events are gathered this long (or up to BATCH_MAX) and written in one statement. */
const FLUSH_MS = 100;
const BATCH_MAX = 500;
const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json";
/**
 * Pages being fetched and parsed at once: at most PER_CLUSTER per cluster (a hung cluster holds
 * only its own slots, never another cluster's first list), at most GLOBAL per process (a page
 * is about 0.4 MB of JSON; a cold start of many clusters must not parse them all together).
 */
const PER_CLUSTER_PAGES = 2;
const GLOBAL_PAGES = 16;
const globalForLists = globalThis as unknown as {
  archipelagoListLimit?: ReturnType<typeof pLimit>;
  archipelagoClusterListLimits?: Map<string, ReturnType<typeof pLimit>>;
  archipelagoIndexWrites?: ReturnType<typeof pLimit>;
};
const listLimit = (globalForLists.archipelagoListLimit ??= pLimit(GLOBAL_PAGES));
/**
 * Index statements running at once in this process. The pool holds 10 connections
 * (db/client.ts); 700 collectors filling the index at 100 clusters took all of them, and a
 * request's audit write then waited past its limit (a rollout start answered 503). The
 * collectors keep at most this many, so requests always find a connection.
 */
const INDEX_WRITERS = 4;
const indexWrites = (globalForLists.archipelagoIndexWrites ??= pLimit(INDEX_WRITERS));
const write = <T>(statement: () => Promise<T>): Promise<T> => indexWrites(statement);
const clusterLimits = (globalForLists.archipelagoClusterListLimits ??= new Map<string, ReturnType<typeof pLimit>>());
function pageSlot<T>(clusterId: string, fetch: () => Promise<T>): Promise<T> {
  let limit = clusterLimits.get(clusterId);
  if (!limit) clusterLimits.set(clusterId, (limit = pLimit(PER_CLUSTER_PAGES)));
  return limit(() => listLimit(fetch));
}

interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject & { code?: number; rows?: SecretTableRow[]; columnDefinitions?: Array<{ name: string }> };
}

class ExpiredError extends Error {}
/** The lease went to another instance (or the row is gone): stop without recording anything. */
class LeaseLostError extends Error {}

export class Collector {
  private readonly abort = new AbortController();
  private resourceVersion = "";
  private columns: string[] = [];
  private failures = 0;
  private pending: IndexRow[] = [];
  private touched = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private flushError: unknown = null;
  /** Ends the current watch (a failed write), not the collector. */
  private watchAbort: AbortController | null = null;
  readonly done: Promise<void>;

  constructor(
    readonly holder: Holder,
    readonly revision: number,
    private readonly onLeaseLost: () => void,
    /** Where the previous holder left off (lease.ts resumeFrom): watch from there, no list first. */
    private resumeFrom: string | null = null,
  ) {
    this.done = this.run();
  }

  get clusterId(): string {
    return this.holder.clusterId;
  }

  get kind(): InventoryKind {
    return this.holder.kind;
  }

  stop(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.abort.abort();
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private get path(): string {
    return `${KINDS[this.kind].apiPath}/${this.kind}`;
  }

  private get accept(): string | undefined {
    return this.kind === "secrets" ? TABLE_ACCEPT : undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const transport = await transportFor(this.clusterId, this.revision);
        const resumeFrom = this.resumeFrom;
        this.resumeFrom = null; // once: any failure below lists again
        if (resumeFrom) {
          this.resourceVersion = resumeFrom;
          if (!(await markResumed(this.holder))) throw new LeaseLostError();
        } else await this.list(transport);
        this.failures = 0;
        while (!this.stopped) await this.watch(transport);
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof LeaseLostError) return this.leaseLost();
        if (error instanceof ExpiredError) continue; // history compacted: relist at once
        this.failures += 1;
        const classified = classifyClusterError(error);
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failures - 1));
        try {
          const leased = await recordFailure(this.holder, {
            code: classified.code,
            message: classified.message,
            retryInMs: backoff,
          });
          if (!leased) return this.leaseLost();
        } catch (dbError) {
          logger.warn({ errorName: dbError instanceof Error ? dbError.name : "unknown" }, "collector state not saved");
        }
        logger.debug(
          { clusterId: this.clusterId, kind: this.kind, code: classified.code, backoffMs: backoff },
          "inventory collector failed",
        );
        await sleep(backoff, this.abort.signal);
      }
    }
  }

  private leaseLost(): void {
    this.stop();
    this.onLeaseLost();
  }

  private project(object: KubeObject): InventoryItem {
    return this.kind === "configmaps" ? projectConfigMap(object) : projectWorkload(this.kind, object);
  }

  private async list(transport: ClusterTransport): Promise<void> {
    const started = performance.now();
    const uids: string[] = [];
    let continueToken: string | undefined;
    let resourceVersion = "";
    do {
      const page = await pageSlot(this.clusterId, () =>
        transport.json<{
          items?: KubeObject[];
          rows?: SecretTableRow[];
          columnDefinitions?: Array<{ name: string }>;
          metadata: { resourceVersion: string; continue?: string };
        }>({
          method: "GET",
          path: this.path,
          query: {
            limit: PAGE_SIZE,
            continue: continueToken,
            includeObject: this.kind === "secrets" ? "Metadata" : undefined,
          },
          accept: this.accept,
          signal: this.abort.signal,
        }),
      );
      const rows: IndexRow[] = [];
      if (this.kind === "secrets") {
        if (page.columnDefinitions?.length) this.columns = page.columnDefinitions.map((column) => column.name);
        for (const row of page.rows ?? []) pushRow(rows, projectSecretRow(row, this.columns));
      } else {
        for (const object of page.items ?? []) pushRow(rows, this.project(object));
      }
      for (const row of rows) uids.push(row.uid);
      // One statement per page: the list is written as it arrives, never held whole.
      if (!(await write(() => writeBatch(this.holder, rows, null))).leased) throw new LeaseLostError();
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (continueToken && !this.stopped);
    if (this.stopped) return;
    this.resourceVersion = resourceVersion;
    const leased = await write(() =>
      finishList(this.holder, {
        uids,
        resourceVersion,
        listMs: Math.round(performance.now() - started),
      }),
    );
    if (!leased) throw new LeaseLostError();
  }

  private async watch(transport: ClusterTransport): Promise<void> {
    this.flushError = null;
    const watchAbort = (this.watchAbort = new AbortController());
    const relay = () => watchAbort.abort();
    this.abort.signal.addEventListener("abort", relay, { once: true });
    await transport
      .stream(
        {
          path: this.path,
          query: {
            watch: 1,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: WATCH_SECONDS,
            includeObject: this.kind === "secrets" ? "Metadata" : undefined,
          },
          accept: this.accept,
          idleTimeoutMs: (WATCH_SECONDS + 30) * 1000,
        },
        (raw) => this.apply(raw as WatchEvent),
        watchAbort.signal,
      )
      .finally(() => this.abort.signal.removeEventListener("abort", relay));
    // Whatever arrived before the watch ended is written before the next watch starts.
    await this.flush();
    if (this.flushError) throw this.flushError;
  }

  private apply(event: WatchEvent): void {
    if (this.flushError) throw this.flushError;
    if (event.type === "ERROR") {
      if (event.object.code === 410) throw new ExpiredError("watch history expired");
      throw new ClusterCallError("bad_response", "The watch reported an error");
    }
    const rows = this.kind === "secrets" ? (event.object.rows ?? []) : null;
    if (this.kind === "secrets" && event.object.columnDefinitions?.length)
      this.columns = event.object.columnDefinitions.map((c) => c.name);
    const metadata = (rows ? rows[0]?.object.metadata : undefined) ?? event.object.metadata;
    if (metadata?.resourceVersion) this.resourceVersion = metadata.resourceVersion;
    this.touched = true;
    if (event.type !== "BOOKMARK" && metadata?.uid) {
      const item = rows ? (rows[0] ? projectSecretRow(rows[0], this.columns) : null) : this.project(event.object);
      if (item) pushRow(this.pending, item, event.type === "DELETED");
    }
    if (this.pending.length >= BATCH_MAX) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what the watch delivered since the last flush, in one statement; flushes run one at a time. */
  private flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flushing = this.flushing.then(async () => {
      if (!this.pending.length && !this.touched) return;
      const rows = this.pending;
      const resourceVersion = this.resourceVersion;
      this.pending = [];
      this.touched = false;
      try {
        const result = await write(() => writeBatch(this.holder, rows, { resourceVersion }));
        if (!result.leased) {
          this.flushError = new LeaseLostError();
          this.watchAbort?.abort();
        }
      } catch (error) {
        // The database is the index: a failed write ends this watch; the next list repairs it.
        this.flushError = error;
        this.watchAbort?.abort();
      }
    });
    return this.flushing;
  }
}

function pushRow(rows: IndexRow[], item: InventoryItem, deleted = false): void {
  const row = toIndexRow(item, deleted);
  if (row) rows.push(row);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
