import { readFileSync } from "node:fs";
import type { APIRequestContext } from "@playwright/test";
import { testbedDir } from "../../testbed/harness";
import { E2E_BASE_URL } from "./paths";

/** Admin-side arrangement through the real API (the browser flows under test stay in the UI). */
export async function api<T>(request: APIRequestContext, method: string, path: string, data?: unknown): Promise<T> {
  const response = await request.fetch(path, {
    method,
    headers: { origin: E2E_BASE_URL, ...(data === undefined ? {} : { "content-type": "application/json" }) },
    data: data === undefined ? undefined : JSON.stringify(data),
  });
  if (!response.ok()) throw new Error(`${method} ${path} answered ${response.status()}: ${await response.text()}`);
  return (response.status() === 204 ? null : await response.json()) as T;
}

/** The three testbed admin contexts registered as clusters testbed-1..3 (idempotent). */
export async function ensureTestbedClusters(request: APIRequestContext): Promise<Record<string, string>> {
  const listed = await api<{ clusters: Array<{ id: string; name: string }> }>(
    request,
    "GET",
    "/api/v1/clusters?pageSize=500",
  );
  const missing = ["testbed-1", "testbed-2", "testbed-3"].filter(
    (name) => !listed.clusters.some((c) => c.name === name),
  );
  if (missing.length) {
    await api(request, "POST", "/api/v1/clusters/import", {
      kubeconfig: readFileSync(`${testbedDir}/kubeconfig`, "utf8"),
      contexts: missing.map((name) => ({ context: name, name })),
    });
  }
  const all = await api<{ clusters: Array<{ id: string; name: string }> }>(
    request,
    "GET",
    "/api/v1/clusters?pageSize=500",
  );
  return Object.fromEntries(all.clusters.map((c) => [c.name, c.id]));
}
