/**
 * Browser-side helper for calling our own /api/v1. Never talks to a cluster and never
 * sees a credential: the server does both.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string[]> = {},
    readonly requestId?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface ErrorPayload {
  error?: { code?: string; message?: string; fields?: Record<string, string[]>; requestId?: string };
}

export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? "GET",
      headers: init.body === undefined ? undefined : { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "network", "Cannot reach the Archipelago server. Check your connection and retry.");
  }
  const payload = response.status === 204 ? null : ((await response.json().catch(() => ({}))) as unknown);
  if (!response.ok) {
    const error = (payload as ErrorPayload | null)?.error ?? {};
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new ApiError(
      response.status,
      error.code ?? "unknown",
      error.message ?? `Request failed with status ${response.status}`,
      error.fields ?? {},
      error.requestId,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  return payload as T;
}
