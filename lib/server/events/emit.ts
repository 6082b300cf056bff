import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { EventClusterPart, NotificationEventType } from "@/lib/schemas/notifications";
import { type db } from "@/lib/server/db/client";

type Writer = Prisma.TransactionClient | ReturnType<typeof db>;

export interface EmittedEvent {
  type: NotificationEventType;
  /** Facts about the subject that say nothing about any cluster (ids, release name, state). */
  subject: Record<string, unknown>;
  /** One part per cluster the event is about; a subscriber hears only the parts it can see. */
  clusters: EventClusterPart[];
}

/**
 * The one way an event enters the notification outbox (notification_events). Pass the
 * transaction that makes the state change, so the event exists exactly when the change does
 * (a rollback takes it away too); the cost on the hot path is one INSERT. Deliveries are
 * made later by the dispatcher (lib/server/notifications/dispatch.ts), never here.
 */
export async function emitEvent(writer: Writer, event: EmittedEvent): Promise<void> {
  await writer.notificationEvent.create({
    data: {
      type: event.type,
      clusterIds: [...new Set(event.clusters.map((part) => part.clusterId))],
      payload: { subject: event.subject, clusters: event.clusters } as object,
    },
  });
}
