import "server-only";
import { Counter, Histogram } from "prom-client";
import { defineOnce } from "./registry";
import { routePattern, UNMATCHED_ROUTE } from "./route-pattern";

/**
 * Requests through the single door (lib/server/http/route.ts) and the operator endpoints,
 * by method, route pattern and status, with a latency histogram.
 */

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

const metrics = () =>
  defineOnce("http", (registry) => ({
    requests: new Counter({
      name: "archipelago_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "archipelago_http_request_duration_seconds",
      help: "Time from receiving a request to its answer, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  }));

type Handler<R extends Request, C> = (request: R, context?: C) => Promise<Response>;

/** Wraps a route handler so every answer (or throw) is counted under its route pattern. */
export function observeRequests<R extends Request, C extends { params: Promise<Record<string, string | string[]>> }>(
  handler: Handler<R, C>,
): Handler<R, C> {
  return async (request, context) => {
    const started = performance.now();
    let status = 500;
    try {
      const response = await handler(request, context);
      status = response.status;
      return response;
    } finally {
      // Counting never fails the request: params that cannot be read make the route "unmatched".
      const params = await Promise.resolve(context?.params ?? {}).catch(() => null);
      const method = METHODS.has(request.method.toUpperCase()) ? request.method.toUpperCase() : "OTHER";
      const labels = {
        method,
        route: params ? routePattern(new URL(request.url).pathname, params) : UNMATCHED_ROUTE,
        status: String(status),
      };
      const { requests, duration } = metrics();
      requests.inc(labels);
      duration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}
