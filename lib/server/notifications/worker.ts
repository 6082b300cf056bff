import "server-only";
import { db } from "@/lib/server/db/client";
import { enqueue, NOTIFY_RETRY_LIMIT, QUEUES, queueState, registerWorker } from "@/lib/server/jobs/queue";
import { logger } from "@/lib/server/log/logger";
import { deliverOne } from "./deliver";
import { dispatchEvents } from "./dispatch";

const DISPATCH_MS = 500;
const SWEEP_MS = 30_000;
/** A pending, due delivery untouched for this long has lost its job (or ran out of retries waiting): sent again. */
const LOST_AFTER_MS = 120_000;

export interface NotificationWorker {
  /** Dispatches every outbox event now (tests, and right after a state change in this process). */
  dispatchNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts notifications on this instance, on the job queue the rollout worker started: a
 * dispatcher polling the outbox, a delivery worker (one delivery at a time per fetch, so a
 * subscription's deliveries leave in order), and a sweep for deliveries whose job was lost.
 */
export async function startNotificationWorker(): Promise<NotificationWorker> {
  const state = queueState();
  if (!state) throw new Error("start the job queue before notifications");
  registerWorker(
    QUEUES.notify,
    await state.boss.work<{ deliveryId: string }>(
      QUEUES.notify,
      { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true },
      async ([job]) => {
        if (job) await deliverOne(job.data.deliveryId, { lastTry: job.retryCount >= NOTIFY_RETRY_LIMIT });
      },
    ),
  );
  let stopped = false;
  let running: Promise<void> | null = null;
  const dispatchNow = async () => {
    while (running) await running;
    running = (async () => {
      while ((await dispatchEvents()) > 0);
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  };
  const tick = () => {
    if (stopped || running) return;
    dispatchNow().catch((error: unknown) =>
      logger.warn({ errorName: error instanceof Error ? error.name : "unknown" }, "notification dispatch failed"),
    );
  };
  const sweep = async () => {
    if (stopped) return;
    try {
      const lost = await db().notificationDelivery.findMany({
        where: {
          state: "pending",
          notBefore: { lt: new Date(Date.now() - LOST_AFTER_MS) },
          tries: { none: { at: { gt: new Date(Date.now() - LOST_AFTER_MS) } } },
        },
        select: { id: true },
        orderBy: { id: "asc" },
        take: 500,
      });
      for (const d of lost) await enqueue(QUEUES.notify, { deliveryId: String(d.id) });
    } catch (error) {
      logger.warn({ errorName: error instanceof Error ? error.name : "unknown" }, "notification sweep failed");
    }
  };
  const dispatchTimer = setInterval(tick, DISPATCH_MS);
  const sweepTimer = setInterval(() => void sweep(), SWEEP_MS);
  dispatchTimer.unref();
  sweepTimer.unref();
  return {
    dispatchNow,
    stop: async () => {
      stopped = true;
      clearInterval(dispatchTimer);
      clearInterval(sweepTimer);
      await running?.catch(() => undefined);
    },
  };
}
