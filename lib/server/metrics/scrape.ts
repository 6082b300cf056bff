import "server-only";
import type { NextRequest } from "next/server";
import { defineFleetMetrics } from "./fleet";
import { metricsRegistry } from "./registry";
import { assertMayScrape } from "./scrape-access";

/** One scrape: the token first (nothing is read for a refused scrape), then every collector. */
export async function scrapeMetrics(request: NextRequest): Promise<Response> {
  assertMayScrape(request.headers.get("authorization"));
  defineFleetMetrics();
  const registry = metricsRegistry();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
}
