import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/server/config/env";
import { AppError, notFound } from "@/lib/server/errors/app-error";

/**
 * Who may scrape GET /metrics: whoever presents ARCHIPELAGO_METRICS_TOKEN as a bearer token.
 * The metrics name every cluster (id, name, health, watch state), so the token is an operator
 * credential that sees the whole fleet; user sessions and API tokens (an admin's included)
 * are not accepted, so no user's grants are ever stretched to the fleet's metrics. Without a
 * configured token the endpoint does not exist (404), as unknown API paths answer.
 */
export function assertMayScrape(authorization: string | null): void {
  const expected = env().ARCHIPELAGO_METRICS_TOKEN;
  if (!expected) throw notFound("Metrics are not enabled (set ARCHIPELAGO_METRICS_TOKEN); this endpoint");
  const presented = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization.trim())?.[1] : undefined;
  if (!presented)
    throw scrapeRefused("A metrics token is required: send Authorization: Bearer <ARCHIPELAGO_METRICS_TOKEN>");
  if (!sameSecret(presented, expected)) throw scrapeRefused("Unknown metrics token");
}

const scrapeRefused = (message: string) =>
  new AppError(401, "unauthenticated", message, { headers: { "www-authenticate": 'Bearer realm="metrics"' } });

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
