import type { NotificationEventType, NotificationFormatValue } from "@/lib/schemas/notifications";

export interface SubscriptionView {
  id: string;
  teamId: string | null;
  teamName: string | null;
  name: string;
  /** The origin only: a webhook URL's path is often its credential. */
  urlPreview: string;
  format: NotificationFormatValue;
  eventTypes: NotificationEventType[];
  unreachableMinutes: number;
  createdByEmail: string;
  createdAt: string;
  /** May the caller delete it and send a test (team maintainers, admins). */
  canManage: boolean;
}

export interface CreatedSubscriptionView {
  subscription: SubscriptionView;
  /** Shown once: the receiver verifies signatures with it. */
  signingSecret: string;
}

export interface DeliveryAttemptView {
  attempt: number;
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  state: "pending" | "delivered" | "failed" | "skipped";
  attempts: number;
  createdAt: string;
  finishedAt: string | null;
  tries: DeliveryAttemptView[];
}
