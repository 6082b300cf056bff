import type { CreateSubscriptionBody } from "@/lib/schemas/notifications";
import { apiFetch } from "./client";
import type { CreatedSubscriptionView, DeliveryView, SubscriptionView } from "./notification-types";

const enc = encodeURIComponent;
const BASE = "/api/v1/notifications/subscriptions";

export const fetchSubscriptions = () =>
  apiFetch<{ subscriptions: SubscriptionView[] }>(BASE).then((r) => r.subscriptions);
export const createSubscription = (input: CreateSubscriptionBody) =>
  apiFetch<CreatedSubscriptionView>(BASE, { method: "POST", body: input });
export const deleteSubscription = (id: string) => apiFetch<null>(`${BASE}/${enc(id)}`, { method: "DELETE" });
export const testSubscription = (id: string) =>
  apiFetch<{ result: { ok: boolean; statusCode: number | null; durationMs: number; error: string | null } }>(
    `${BASE}/${enc(id)}/test`,
    { method: "POST" },
  ).then((r) => r.result);
export const fetchDeliveries = (id: string) =>
  apiFetch<{ deliveries: DeliveryView[] }>(`${BASE}/${enc(id)}/deliveries`).then((r) => r.deliveries);
