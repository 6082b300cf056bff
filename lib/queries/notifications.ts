import { queryOptions } from "@tanstack/react-query";
import { fetchDeliveries, fetchSubscriptions } from "@/lib/api/notifications";

export const notificationKeys = {
  all: ["notifications"] as const,
  subscriptions: ["notifications", "subscriptions"] as const,
  deliveries: (id: string) => ["notifications", "subscriptions", id, "deliveries"] as const,
};

export const subscriptionsQuery = () =>
  queryOptions({ queryKey: notificationKeys.subscriptions, queryFn: fetchSubscriptions, staleTime: 10_000 });
export const deliveriesQuery = (id: string) =>
  queryOptions({ queryKey: notificationKeys.deliveries(id), queryFn: () => fetchDeliveries(id), staleTime: 5_000 });
