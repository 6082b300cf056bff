import { db } from "@/lib/server/db/client";
import { route } from "@/lib/server/http/route";

/** Liveness and database reachability, for load balancers. Reveals nothing else. */
export const GET = route({ access: "public" }, async () => {
  await db().$queryRaw`SELECT 1`;
  return { status: "ok" };
});
