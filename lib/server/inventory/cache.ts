import "server-only";
import type { InventoryKind } from "@/lib/k8s/kinds";
import { onClusterConnectionGone } from "@/lib/server/clusters/changes";
import type { ClusterTransport } from "@/lib/server/kube/transport";
import { Reflector } from "./reflector";

/**
 * The fleet's watch caches: one reflector per (cluster, kind), started on the first
 * query that needs it and stopped after it has gone unused for a while, so memory follows
 * what people look at. Replaced when a cluster's connection settings change (revision).
 */

const IDLE_MS = 15 * 60_000;

interface Entry {
  revision: number;
  reflector: Reflector;
}

interface Cache {
  entries: Map<string, Entry>;
  sweeper?: NodeJS.Timeout;
}
// On globalThis: the start script and Next's server bundle share one cache.
const globalForCache = globalThis as unknown as { archipelagoInventory?: Cache };
const cache: Cache = (globalForCache.archipelagoInventory ??= { entries: new Map<string, Entry>() });

const keyOf = (clusterId: string, kind: InventoryKind) => `${clusterId}/${kind}`;

export function reflectorFor(
  clusterId: string,
  revision: number,
  kind: InventoryKind,
  transport: ClusterTransport,
): Reflector {
  const key = keyOf(clusterId, kind);
  const existing = cache.entries.get(key);
  if (existing && existing.revision === revision && !existing.reflector.stopped) {
    existing.reflector.lastUsed = Date.now();
    return existing.reflector;
  }
  existing?.reflector.stop();
  const reflector = new Reflector(clusterId, kind, transport);
  cache.entries.set(key, { revision, reflector });
  ensureSweeper();
  return reflector;
}

function ensureSweeper(): void {
  if (cache.sweeper) return;
  cache.sweeper = setInterval(() => {
    const cutoff = Date.now() - IDLE_MS;
    for (const [key, entry] of cache.entries) {
      if (entry.reflector.lastUsed < cutoff) {
        entry.reflector.stop();
        cache.entries.delete(key);
      }
    }
  }, 60_000);
  cache.sweeper.unref();
}

/** Every running reflector, for the metrics collector (read at scrape time). */
export const allReflectors = (): Reflector[] => [...cache.entries.values()].map((entry) => entry.reflector);

export function stopAllReflectors(): void {
  for (const entry of cache.entries.values()) entry.reflector.stop();
  cache.entries.clear();
}

onClusterConnectionGone("inventory-reflectors", (clusterId) => forgetClusterReflectors(clusterId));

export function forgetClusterReflectors(clusterId: string): void {
  for (const [key, entry] of cache.entries) {
    if (key.startsWith(`${clusterId}/`)) {
      entry.reflector.stop();
      cache.entries.delete(key);
    }
  }
}
