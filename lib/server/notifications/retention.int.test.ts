import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/server/db/client";
import { newWebhookSecret } from "@/lib/server/secrets/webhook-secret";
import { resetDatabase } from "@/lib/testing/reset-database";
import { deleteOldNotifications, NOTIFICATION_RETENTION_DAYS } from "./retention";

beforeEach(async () => {
  await resetDatabase();
});

describe("notification retention", () => {
  it("removes old finished events with their deliveries and log, keeps recent and pending ones", async () => {
    const id = randomUUID();
    await db().notificationSubscription.create({
      data: {
        id,
        name: "hook",
        url: "http://127.0.0.1:9/",
        eventTypes: ["drift.detected"],
        secretEnvelope: newWebhookSecret(id).envelope as object,
        createdByEmail: "sre@example.com",
      },
    });
    const old = new Date(Date.now() - (NOTIFICATION_RETENTION_DAYS + 1) * 86_400_000);
    const event = async (dispatchedAt: Date, state: "delivered" | "pending") => {
      const created = await db().notificationEvent.create({
        data: {
          type: "drift.detected",
          clusterIds: [],
          payload: { subject: {}, clusters: [] },
          at: dispatchedAt,
          dispatchedAt,
        },
      });
      const delivery = await db().notificationDelivery.create({
        data: { subscriptionId: id, eventId: created.id, eventType: "drift.detected", payload: {}, state },
      });
      await db().notificationAttempt.create({
        data: { deliveryId: delivery.id, attempt: 1, statusCode: 200, durationMs: 3 },
      });
      return created.id;
    };
    const oldDone = await event(old, "delivered");
    const oldPending = await event(old, "pending");
    const recent = await event(new Date(), "delivered");
    expect(await deleteOldNotifications()).toBe(1);
    const left = (await db().notificationEvent.findMany({ select: { id: true } })).map((e) => e.id);
    expect(left.sort()).toEqual([oldPending, recent].sort());
    expect(left).not.toContain(oldDone);
    expect(await db().notificationDelivery.count()).toBe(2);
    expect(await db().notificationAttempt.count()).toBe(2);
  });
});
