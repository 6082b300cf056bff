/**
 * Shared pieces of the testbed's integration tests: clients per context,
 * per-request timeouts, polling, and a throwaway namespace per test file.
 */
import { randomBytes } from "node:crypto";
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import { ensureTestbed, type Testbed } from "../harness";

/** Every proof test uses the same three clusters, started once per run. */
export const clusterCount = 3;

/** Minutes on a cold Go cache (the first build), seconds after. */
export const startTimeoutMs = 15 * 60_000;

export function startTestbed(): Promise<Testbed> {
  return ensureTestbed({ clusters: clusterCount, timeoutMs: startTimeoutMs });
}

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  objects: KubernetesObjectApi;
}

/** Typed clients for one kubeconfig context. */
export function clientsFor(tb: Testbed, context: string): Clients {
  const kc = new KubeConfig();
  kc.loadFromFile(tb.kubeconfigPath);
  kc.setCurrentContext(context);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

/**
 * Request options that abort the request after `ms`. The object-parameter
 * API takes observable-style middleware, hence the Observable wrappers.
 */
export function withTimeout(ms: number) {
  const middleware: ObservableMiddleware = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(ctx));
    },
    post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: "append" as const };
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** A fresh namespace name, so runs never collide with each other or seeded data. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

export async function createNamespace(c: Clients, name: string): Promise<void> {
  await c.core.createNamespace({ body: { metadata: { name, labels: { "testbed.archipelago.dev/test": "true" } } } });
}

export async function deleteNamespace(c: Clients, name: string): Promise<void> {
  try {
    await c.core.deleteNamespace({ name });
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 404)) throw error;
  }
}

/** The HTTP status of a failed API call, or undefined when it did not fail with one. */
export async function statusOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

/** The error a call rejects with, or a failure if it resolves. */
export async function errorOf(call: Promise<unknown>): Promise<Error & { code?: string; type?: string }> {
  try {
    await call;
  } catch (error) {
    return error as Error & { code?: string; type?: string };
  }
  throw new Error("expected the call to fail");
}
