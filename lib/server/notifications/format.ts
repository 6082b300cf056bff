import "server-only";
import {
  NOTIFICATION_EVENT_LABELS,
  type EventClusterPart,
  type NotificationEventType,
  type NotificationFormatValue,
} from "@/lib/schemas/notifications";

export interface DeliveryDocument {
  /** The outbox event's id: increases with time, the order a receiver should apply events in. */
  id: string;
  type: NotificationEventType | "test";
  occurredAt: string;
  subscriptionId: string;
  subject: Record<string, unknown>;
  clusters: EventClusterPart[];
}

/** The HTTP body of a delivery in the subscription's format. */
export function formatBody(format: NotificationFormatValue, doc: DeliveryDocument): string {
  if (format === "generic") return JSON.stringify(doc);
  // Slack's incoming webhooks take { text } (mrkdwn); the generic document rides along for tools.
  const label = doc.type === "test" ? "Test notification" : NOTIFICATION_EVENT_LABELS[doc.type];
  const about = [
    doc.subject.releaseName,
    doc.subject.rolloutId ? `rollout ${String(doc.subject.rolloutId).slice(0, 8)}` : null,
  ]
    .filter(Boolean)
    .join(" · ");
  const clusters = doc.clusters.map((part) => part.clusterName).join(", ");
  const text = [`*${label}*${about ? ` — ${about}` : ""}`, clusters ? `Clusters: ${clusters}` : null]
    .filter(Boolean)
    .join("\n");
  return JSON.stringify({ text, archipelago: doc });
}
