import "server-only";
import type { NextRequest } from "next/server";
// Defined here too: Next loads a route's modules on its first request, so the sign-in
// counters would otherwise be missing from scrapes until someone signs in.
import "./counters";
import { defineFleetMetrics } from "./fleet";
import { beginScrape, metricsRegistry } from "./registry";
import { assertMayScrape } from "./scrape-access";

/** One scrape: the token first (nothing is read for a refused scrape), then every collector. */
export async function scrapeMetrics(request: NextRequest): Promise<Response> {
  assertMayScrape(request.headers.get("authorization"));
  defineFleetMetrics();
  const registry = metricsRegistry();
  beginScrape();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
}
