import type { Metadata } from "next";
import { NotificationsView } from "@/components/notifications/notifications-view";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const { user } = await requirePageCaller();
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Signed webhooks for rollouts, drift and unreachable clusters. A team hears only about clusters it can see."
      />
      <NotificationsView isAdmin={user.isAdmin} />
    </>
  );
}
