import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { listDeliveries } from "@/lib/server/notifications/subscriptions";

const params = z.object({ id: idParam("Subscription") });

export const GET = route({ access: "user", params }, async ({ params, profile }) => ({
  deliveries: await listDeliveries(await profile(), params.id),
}));
