import { operatorRoute } from "@/lib/server/metrics/operator-route";

/** Liveness for load balancers: the process answers. Asks nothing else (no database). */
export const GET = operatorRoute(async () => Response.json({ status: "ok" }));
