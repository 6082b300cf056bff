import "server-only";

/**
 * Tells higher layers that a cluster's connection is gone (credential or settings replaced,
 * cluster deleted), so they drop what they hold for it without clusters/ importing them:
 * the inventory's watch caches subscribe here. Listeners are named, and kept on globalThis,
 * because Next.js may load this module once per server bundle.
 */
type Listener = (clusterId: string) => void;

const globalForChanges = globalThis as unknown as { archipelagoClusterListeners?: Map<string, Listener> };
const listeners = (globalForChanges.archipelagoClusterListeners ??= new Map<string, Listener>());

export function onClusterConnectionGone(name: string, listener: Listener): void {
  listeners.set(name, listener);
}

export function clusterConnectionGone(clusterId: string): void {
  for (const listener of listeners.values()) listener(clusterId);
}
