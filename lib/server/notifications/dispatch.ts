import "server-only";
import { storedEventPayloadSchema } from "@/lib/schemas/notifications";
import { audibleParts } from "@/lib/server/access/subscriber";
import { db } from "@/lib/server/db/client";
import { enqueue, QUEUES } from "@/lib/server/jobs/queue";
import { logger } from "@/lib/server/log/logger";
import { sightsOf } from "./sight";

const BATCH = 100;

/**
 * Turns outbox events into deliveries, oldest first: for every subscription to the event's
 * type, the parts its owner may hear (access/subscriber.ts), decided now, over every cluster
 * the event names. Events and their deliveries are written in one transaction (SKIP LOCKED:
 * two instances never dispatch the same event); the jobs are sent after it commits, and a
 * job lost between the two is sent again by the sweep (worker.ts). Returns how many events it took.
 */
export async function dispatchEvents(): Promise<number> {
  const due: Array<{ id: string; notBefore: Date }> = [];
  const taken = await db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ id: bigint }>>`
      SELECT id FROM notification_events WHERE dispatched_at IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
    if (rows.length === 0) return 0;
    const events = await tx.notificationEvent.findMany({
      where: { id: { in: rows.map((r) => r.id) } },
      orderBy: { id: "asc" },
    });
    const subscriptions = await tx.notificationSubscription.findMany({
      where: { eventTypes: { hasSome: [...new Set(events.map((e) => e.type))] } },
      select: { id: true, teamId: true, createdById: true, eventTypes: true, unreachableMinutes: true },
    });
    const sights = await sightsOf(subscriptions);
    const deliveries = [];
    for (const event of events) {
      const payload = storedEventPayloadSchema.safeParse(event.payload);
      if (!payload.success) {
        logger.warn(
          { eventId: String(event.id), type: event.type },
          "notification event with an unreadable payload skipped",
        );
        continue;
      }
      for (const subscription of subscriptions) {
        if (!subscription.eventTypes.includes(event.type)) continue;
        const parts = audibleParts(sights.get(subscription.id) ?? { kind: "nothing" }, payload.data.clusters);
        if (!parts) continue;
        // An unreachable cluster is news only once it has stayed so for the subscription's N minutes.
        const notBefore =
          event.type === "cluster.unreachable"
            ? new Date(event.at.getTime() + subscription.unreachableMinutes * 60_000)
            : event.at;
        deliveries.push({
          subscriptionId: subscription.id,
          eventId: event.id,
          eventType: event.type,
          payload: { subject: payload.data.subject, clusters: parts } as object,
          notBefore,
        });
      }
    }
    if (deliveries.length) {
      const created = await tx.notificationDelivery.createManyAndReturn({
        data: deliveries,
        skipDuplicates: true,
        select: { id: true, notBefore: true },
      });
      for (const d of created) due.push({ id: String(d.id), notBefore: d.notBefore });
    }
    await tx.notificationEvent.updateMany({
      where: { id: { in: events.map((e) => e.id) } },
      data: { dispatchedAt: new Date() },
    });
    return events.length;
  });
  const now = Date.now();
  for (const d of due)
    await enqueue(QUEUES.notify, { deliveryId: d.id }, d.notBefore.getTime() > now ? d.notBefore : undefined);
  return taken;
}
