import { NextResponse } from "next/server";
import { createSubscriptionBodySchema } from "@/lib/schemas/notifications";
import { route } from "@/lib/server/http/route";
import { createSubscription, listSubscriptions, urlPreview } from "@/lib/server/notifications/subscriptions";

export const GET = route({ access: "user" }, async ({ profile }) => ({
  subscriptions: await listSubscriptions(await profile()),
}));

export const POST = route(
  { access: "user", body: createSubscriptionBodySchema, audit: "notification.subscription.create" },
  async ({ body, profile, caller, audit }) => {
    audit.target({ kind: "NotificationSubscription", name: body.name });
    audit.detail("teamId", body.teamId);
    audit.detail("eventTypes", body.eventTypes);
    audit.detail("url", urlPreview(body.url));
    const created = await createSubscription(await profile(), body, { id: caller.user.id, email: caller.user.email });
    audit.detail("subscriptionId", created.subscription.id);
    return NextResponse.json(created, { status: 201 });
  },
);
