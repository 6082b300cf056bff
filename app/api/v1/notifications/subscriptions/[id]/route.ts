import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { deleteSubscription } from "@/lib/server/notifications/subscriptions";

const params = z.object({ id: idParam("Subscription") });

export const DELETE = route(
  { access: "user", params, audit: "notification.subscription.delete" },
  async ({ params, profile, audit }) => {
    const deleted = await deleteSubscription(await profile(), params.id);
    audit.target({ kind: "NotificationSubscription", name: deleted.name });
    audit.detail("subscriptionId", deleted.id);
    audit.detail("teamId", deleted.teamId);
    return new Response(null, { status: 204 });
  },
);
