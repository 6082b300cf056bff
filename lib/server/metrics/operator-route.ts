import "server-only";
import { randomUUID } from "node:crypto";
import type { NextRequest } from "next/server";
import { validationFailed } from "@/lib/server/errors/app-error";
import { handleApiError } from "@/lib/server/http/handle-error";
import { observeRequests } from "./http-requests";

/**
 * The door for machine endpoints (/livez, /readyz, /metrics), beside route() rather than
 * through it: their callers are load balancers and Prometheus, not people, so no session
 * cookie or user API token is read (route() would answer a metrics bearer token as an unknown
 * user token, and /livez must not depend on the database, which authentication asks). They
 * take no body, path or query parameters (any query parameter is refused, as route() does),
 * answer GET only, never cache, and map errors and count requests the same way.
 */
export function operatorRoute(handler: (request: NextRequest) => Promise<Response>) {
  return observeRequests(async (request: NextRequest): Promise<Response> => {
    const requestId = randomUUID();
    try {
      const names = [...new Set(request.nextUrl.searchParams.keys())].slice(0, 20);
      if (names.length > 0)
        throw validationFailed(
          Object.fromEntries(names.map((name) => [name, [`${name} is not a known query parameter`]])),
        );
      const response = await handler(request);
      response.headers.set("cache-control", "no-store");
      response.headers.set("x-request-id", requestId);
      return response;
    } catch (error) {
      return handleApiError(error, requestId);
    }
  });
}
