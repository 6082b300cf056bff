import "server-only";
import pLimit from "p-limit";
import { KINDS, type InventoryKind } from "@/lib/k8s/kinds";
import { logger } from "@/lib/server/log/logger";
import { ClusterCallError, classifyClusterError } from "@/lib/server/kube/errors";
import type { ClusterTransport } from "@/lib/server/kube/transport";
import {
  projectConfigMap,
  projectSecretRow,
  projectWorkload,
  type InventoryItem,
  type KubeObject,
  type SecretTableRow,
} from "./project";

/**
 * List-then-watch cache of one kind on one cluster (the informer pattern), over our own
 * transport so it gets the same address guard, keep-alive pool and timeouts as every other
 * cluster call. client-node's informer opens its own connections and keeps whole
 * objects; this keeps projections only, and never receives secret values (secrets are
 * listed and watched as server-side Tables with metadata).
 *
 * After a failure it backs off exponentially (1 s … 60 s) before listing again: a dead
 * cluster is retried, not hammered, and queries meanwhile answer from its state at once.
 */

const PAGE_SIZE = 500;
const WATCH_SECONDS = 240;
const MAX_BACKOFF_MS = 60_000;
const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json";
/**
 * Pages being fetched and parsed at once, fleet-wide. A page is about 0.4 MB of JSON; left
 * unbounded, a cold view of many clusters parses them all together and the heap balloons.
 */
const LIST_PAGE_CONCURRENCY = 8;
const globalForLists = globalThis as unknown as { archipelagoListLimit?: ReturnType<typeof pLimit> };
const listLimit = (globalForLists.archipelagoListLimit ??= pLimit(LIST_PAGE_CONCURRENCY));

export type ReflectorState = "syncing" | "synced" | "failed";

interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject & { code?: number; rows?: SecretTableRow[]; columnDefinitions?: Array<{ name: string }> };
}

class ExpiredError extends Error {}

export class Reflector {
  readonly items = new Map<string, InventoryItem>();
  state: ReflectorState = "syncing";
  lastError: ClusterCallError | null = null;
  /** When the first successful list finished (data as of then, kept current by the watch). */
  syncedAt: number | null = null;
  lastListMs: number | null = null;
  /** When a failed reflector will try again. */
  retryAt: number | null = null;
  lastUsed = Date.now();
  /** Watch connected and current; false while reconnecting after a drop. */
  live = false;
  /** When the watch last delivered an event (a bookmark included): how current the cache is. */
  lastEventAt: number | null = null;
  /** Since when a failure keeps the cache from being current (cleared by the next complete list). */
  staleSince: number | null = null;

  private readonly abort = new AbortController();
  private resourceVersion = "";
  private columns: string[] = [];
  private firstSync: Promise<void>;
  private resolveFirstSync!: () => void;
  private failures = 0;

  constructor(
    readonly clusterId: string,
    readonly kind: InventoryKind,
    private readonly transport: ClusterTransport,
  ) {
    this.firstSync = new Promise((resolve) => (this.resolveFirstSync = resolve));
    void this.run();
  }

  /** Resolves when the first list completes or fails, or after timeoutMs; never rejects. */
  async waitForFirstAttempt(timeoutMs: number): Promise<void> {
    if (this.state !== "syncing") return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.firstSync, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  stop(): void {
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
        await this.list();
        this.failures = 0;
        this.lastError = null;
        this.retryAt = null;
        while (!this.stopped) await this.watch();
      } catch (error) {
        if (this.stopped) return;
        this.live = false;
        if (error instanceof ExpiredError) continue; // history compacted: relist at once
        this.failures += 1;
        this.staleSince ??= Date.now();
        this.lastError = classifyClusterError(error);
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failures - 1));
        this.retryAt = Date.now() + backoff;
        if (this.syncedAt === null) this.state = "failed";
        this.resolveFirstSync();
        logger.debug(
          { clusterId: this.clusterId, kind: this.kind, code: this.lastError.code, backoffMs: backoff },
          "inventory reflector failed",
        );
        await sleep(backoff, this.abort.signal);
      }
    }
  }

  private async list(): Promise<void> {
    const started = performance.now();
    const next = new Map<string, InventoryItem>();
    let continueToken: string | undefined;
    let resourceVersion = "";
    do {
      const page = await listLimit(() =>
        this.transport.json<{
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
        }),
      );
      if (this.kind === "secrets") {
        if (page.columnDefinitions?.length) this.columns = page.columnDefinitions.map((column) => column.name);
        for (const row of page.rows ?? []) next.set(row.object.metadata.uid, projectSecretRow(row, this.columns));
      } else {
        for (const object of page.items ?? []) next.set(object.metadata.uid, this.project(object));
      }
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (continueToken && !this.stopped);

    this.items.clear();
    for (const [uid, item] of next) this.items.set(uid, item);
    this.resourceVersion = resourceVersion;
    this.lastListMs = Math.round(performance.now() - started);
    this.syncedAt = Date.now();
    this.staleSince = null;
    this.state = "synced";
    this.resolveFirstSync();
  }

  private async watch(): Promise<void> {
    this.live = true;
    await this.transport.stream(
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
      this.abort.signal,
    );
  }

  private apply(event: WatchEvent): void {
    this.lastEventAt = Date.now();
    if (event.type === "ERROR") {
      if (event.object.code === 410) throw new ExpiredError("watch history expired");
      throw new ClusterCallError("bad_response", "The watch reported an error");
    }
    const rows = this.kind === "secrets" ? (event.object.rows ?? []) : null;
    if (this.kind === "secrets" && event.object.columnDefinitions?.length)
      this.columns = event.object.columnDefinitions.map((c) => c.name);
    const metadata = (rows ? rows[0]?.object.metadata : undefined) ?? event.object.metadata;
    if (metadata?.resourceVersion) this.resourceVersion = metadata.resourceVersion;
    if (event.type === "BOOKMARK" || !metadata?.uid) return;
    if (event.type === "DELETED") {
      this.items.delete(metadata.uid);
      return;
    }
    const item = rows ? projectSecretRow(rows[0]!, this.columns) : this.project(event.object);
    this.items.set(metadata.uid, item);
  }

  private project(object: KubeObject): InventoryItem {
    return this.kind === "configmaps" ? projectConfigMap(object) : projectWorkload(this.kind, object);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
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
