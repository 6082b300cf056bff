import { z } from "zod";
import { recentHealthChecks } from "@/lib/server/clusters/queries";
import { HEALTH_HISTORY } from "@/lib/server/clusters/health";
import { route } from "@/lib/server/http/route";

const healthQuerySchema = z.object({
  limit: z.coerce.number({ error: "limit must be a number" }).int().min(1, "limit must be 1 or more").max(HEALTH_HISTORY, `limit must be at most ${HEALTH_HISTORY}`).default(50),
});

export const GET = route({ access: "user", query: healthQuerySchema }, async ({ params, query }) => ({
  checks: await recentHealthChecks(String(params.id), query.limit),
}));
