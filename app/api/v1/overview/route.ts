import { route } from "@/lib/server/http/route";
import { fleetOverview } from "@/lib/server/overview/overview";

/** The fleet at a glance, cut to the caller's grants: clusters, workloads by health, rollouts in flight, drift. */
export const GET = route({ access: "user" }, async ({ profile }) => fleetOverview(await profile()));
