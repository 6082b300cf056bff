import { checkReadiness } from "@/lib/server/metrics/readiness";
import { operatorRoute } from "@/lib/server/metrics/operator-route";

/** Readiness for load balancers: database reachable and migrations current; 503 with the reason otherwise. */
export const GET = operatorRoute(async () => {
  const readiness = await checkReadiness();
  return readiness.ready
    ? Response.json({ status: "ready" })
    : Response.json({ status: "not ready", reason: readiness.reason }, { status: 503 });
});
