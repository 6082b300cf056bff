import "server-only";
import { eventClusterPartSchema, type NotificationEventType } from "@/lib/schemas/notifications";
import { z } from "zod";
import { db } from "@/lib/server/db/client";
import { openWebhookSecret } from "@/lib/server/secrets/webhook-secret";
import { formatBody } from "./format";
import { sendWebhook } from "./send";

const storedDeliveryPayloadSchema = z.object({
  subject: z.record(z.string(), z.unknown()),
  clusters: z.array(eventClusterPartSchema),
});

/** Thrown so that the queue retries later (with backoff). */
export class RetryLater extends Error {
  override name = "RetryLater";
}

/**
 * Sends one delivery. Per subscription, deliveries go out in event order: the subscription row
 * is locked while one is sent, and a delivery waits (retries later) while an earlier one that
 * is due is still pending. Each HTTP attempt is logged (notification_attempts). A failed
 * attempt throws so pg-boss retries with backoff; on the last try the delivery is marked failed.
 * A cluster.unreachable delivery whose cluster came back (or went down again since) is skipped.
 */
export async function deliverOne(deliveryId: string, options: { lastTry: boolean }): Promise<void> {
  const id = BigInt(deliveryId);
  await db()
    .$transaction(
      async (tx) => {
        const head = await tx.notificationDelivery.findUnique({ where: { id }, select: { subscriptionId: true } });
        if (!head) return;
        await tx.$queryRaw`SELECT id FROM notification_subscriptions WHERE id = ${head.subscriptionId}::uuid FOR UPDATE`;
        const delivery = await tx.notificationDelivery.findUnique({
          where: { id },
          include: {
            event: { select: { at: true } },
            subscription: { select: { id: true, url: true, format: true, secretEnvelope: true } },
          },
        });
        if (!delivery || delivery.state !== "pending") return;
        const now = new Date();
        if (delivery.notBefore > now) throw new RetryLater("not due yet");
        const earlier = await tx.notificationDelivery.count({
          where: { subscriptionId: delivery.subscriptionId, state: "pending", id: { lt: id }, notBefore: { lte: now } },
        });
        if (earlier > 0) throw new RetryLater("an earlier delivery of this subscription is still pending");

        const payload = storedDeliveryPayloadSchema.parse(delivery.payload);
        if (delivery.eventType === "cluster.unreachable" && !(await stillUnreachable(payload.subject))) {
          await tx.notificationDelivery.update({ where: { id }, data: { state: "skipped", finishedAt: now } });
          return;
        }
        const body = formatBody(delivery.subscription.format, {
          id: String(delivery.eventId),
          type: delivery.eventType as NotificationEventType,
          occurredAt: delivery.event.at.toISOString(),
          subscriptionId: delivery.subscriptionId,
          subject: payload.subject,
          clusters: payload.clusters,
        });
        const secret = openWebhookSecret(delivery.subscription.id, delivery.subscription.secretEnvelope);
        let outcome;
        try {
          outcome = await sendWebhook(delivery.subscription.url, body, secret);
        } finally {
          secret.fill(0);
        }
        const attempt = delivery.attempts + 1;
        await tx.notificationAttempt.create({
          data: {
            deliveryId: id,
            attempt,
            statusCode: outcome.statusCode,
            durationMs: outcome.durationMs,
            error: outcome.error,
          },
        });
        const finished = outcome.ok || options.lastTry;
        await tx.notificationDelivery.update({
          where: { id },
          data: {
            attempts: attempt,
            ...(finished ? { state: outcome.ok ? "delivered" : "failed", finishedAt: new Date() } : {}),
          },
        });
        if (!finished) return "retry";
      },
      { timeout: 30_000 },
    )
    .then((result) => {
      // Thrown after the commit, so the attempt stays in the log and the queue retries.
      if (result === "retry") throw new RetryLater("the receiver did not accept the delivery");
    });
}

async function stillUnreachable(subject: Record<string, unknown>): Promise<boolean> {
  const clusterId = typeof subject.clusterId === "string" ? subject.clusterId : null;
  const since = typeof subject.unreachableSince === "string" ? subject.unreachableSince : null;
  if (!clusterId || !since) return false;
  const cluster = await db().cluster.findUnique({
    where: { id: clusterId },
    select: { status: true, statusSince: true },
  });
  return cluster?.status === "unreachable" && cluster.statusSince?.toISOString() === since;
}
