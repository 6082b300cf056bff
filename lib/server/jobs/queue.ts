import "server-only";
import { randomUUID } from "node:crypto";
import PgBoss from "pg-boss";
import { logger } from "@/lib/server/log/logger";

/**
 * Shared infrastructure (rollouts and the drift schedule use it), below every domain module.
 * Durable work goes through pg-boss, a job queue in Postgres: a job is claimed by exactly
 * one worker (SKIP LOCKED), survives restarts, and any app instance on the database can
 * take it. The queue only carries "look at rollout X" / "run target Y"; the rollout's real
 * state lives in our own tables and every step checks it under a row lock.
 */

export const QUEUES = {
  advance: "rollout-advance",
  target: "rollout-target",
  rollback: "rollout-rollback",
  notify: "notification-deliver",
} as const;

/**
 * Webhook deliveries: retried with exponential backoff (pg-boss doubles retryDelay on each
 * retry, with jitter), about an hour in all before a delivery is given up as failed.
 */
export const NOTIFY_RETRY_LIMIT = 12;

interface QueueState {
  boss: PgBoss;
  instanceId: string;
  /** This process's workers per queue, woken right after we enqueue so nobody waits for the next poll. */
  workers: Map<string, string[]>;
}

const globalForQueue = globalThis as unknown as { archipelagoQueue?: QueueState };

export function queueState(): QueueState | undefined {
  return globalForQueue.archipelagoQueue;
}

export function instanceId(): string {
  return globalForQueue.archipelagoQueue?.instanceId ?? "not-started";
}

export async function startQueue(databaseUrl: string): Promise<QueueState> {
  if (globalForQueue.archipelagoQueue) return globalForQueue.archipelagoQueue;
  const boss = new PgBoss({ connectionString: databaseUrl, schema: "pgboss", max: 4 });
  boss.on("error", (error: Error) => logger.warn({ errorName: error.name }, "job queue error"));
  await boss.start();
  for (const name of Object.values(QUEUES)) {
    // Jobs are cheap and idempotent; retries cover a worker that dies mid-job.
    if (name === QUEUES.notify)
      await boss.createQueue(name, {
        name,
        retryLimit: NOTIFY_RETRY_LIMIT,
        retryDelay: 1,
        retryBackoff: true,
        expireInSeconds: 120,
      });
    else await boss.createQueue(name, { name, retryLimit: 20, retryDelay: 2, expireInSeconds: 4 * 3600 });
  }
  globalForQueue.archipelagoQueue = {
    boss,
    instanceId: `${process.pid}-${randomUUID().slice(0, 8)}`,
    workers: new Map(),
  };
  return globalForQueue.archipelagoQueue;
}

export async function stopQueue(): Promise<void> {
  const state = globalForQueue.archipelagoQueue;
  globalForQueue.archipelagoQueue = undefined;
  await state?.boss.stop({ graceful: true, timeout: 5000 }).catch(() => undefined);
}

/** Sends a job; before the queue runs in this process (e.g. a test), the work is picked up by the next sweep. */
export async function enqueue(queue: QueueName, data: Record<string, string>, startAfter?: Date): Promise<void> {
  const state = globalForQueue.archipelagoQueue;
  if (!state) return;
  await state.boss.send(queue, data, { startAfter, singletonKey: startAfter ? undefined : singletonKey(queue, data) });
  if (!startAfter) wake(state, queue);
}

/**
 * Sends many jobs in one statement, then wakes the workers once: a wave's clusters are all
 * in the queue before the first worker fetches, so one fetch takes them together.
 */
export async function enqueueMany(queue: QueueName, items: Array<Record<string, string>>): Promise<void> {
  const state = globalForQueue.archipelagoQueue;
  if (!state || items.length === 0) return;
  await state.boss.insert(items.map((data) => ({ name: queue, data, singletonKey: singletonKey(queue, data) })));
  wake(state, queue);
}

export function registerWorker(queue: QueueName, workerId: string): void {
  const workers = globalForQueue.archipelagoQueue?.workers;
  workers?.set(queue, [...(workers.get(queue) ?? []), workerId]);
}

type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

const singletonKey = (queue: QueueName, data: Record<string, string>) => `${queue}:${Object.values(data).join(":")}`;

function wake(state: QueueState, queue: QueueName): void {
  for (const worker of state.workers.get(queue) ?? []) state.boss.notifyWorker(worker);
}
