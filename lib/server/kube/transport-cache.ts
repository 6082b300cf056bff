import "server-only";
import type { ConnectionSpec } from "./credential";
import { ClusterTransport } from "./transport";

/**
 * One transport (and so one keep-alive pool) per cluster, reused across requests and
 * replaced when the cluster's revision changes (new URL, CA or credential).
 */
const globalForTransports = globalThis as unknown as { archipelagoTransports?: Map<string, ClusterTransport> };
const transports = (globalForTransports.archipelagoTransports ??= new Map());

export function cachedTransport(clusterId: string, revision: number): ClusterTransport | undefined {
  const transport = transports.get(clusterId);
  return transport && transport.spec.revision === revision ? transport : undefined;
}

export function storeTransport(spec: ConnectionSpec, timeoutMs: number): ClusterTransport {
  const transport = new ClusterTransport(spec, timeoutMs);
  transports.get(spec.clusterId)?.destroy();
  transports.set(spec.clusterId, transport);
  return transport;
}

export function forgetTransport(clusterId: string): void {
  transports.get(clusterId)?.destroy();
  transports.delete(clusterId);
}

export function forgetAllTransports(): void {
  for (const transport of transports.values()) transport.destroy();
  transports.clear();
}
