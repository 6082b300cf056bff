import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { testSubscription } from "@/lib/server/notifications/subscriptions";

const params = z.object({ id: idParam("Subscription") });

/** POST: sends a signed test event now and answers how the receiver answered. */
export const POST = route(
  { access: "user", params, audit: "notification.subscription.test" },
  async ({ params, profile, audit }) => {
    audit.detail("subscriptionId", params.id);
    const outcome = await testSubscription(await profile(), params.id);
    audit.detail("statusCode", outcome.statusCode);
    return { result: outcome };
  },
);
