import { scrapeMetrics } from "@/lib/server/metrics/scrape";
import { operatorRoute } from "@/lib/server/metrics/operator-route";

/** Prometheus metrics, for the bearer of ARCHIPELAGO_METRICS_TOKEN (README, "Operating it"). */
export const GET = operatorRoute(scrapeMetrics);
