import "server-only";
import { env } from "@/lib/server/config/env";
import { logger } from "@/lib/server/log/logger";
import { queueState } from "@/lib/server/jobs/queue";
import { checkAllReleases } from "./drift";

const QUEUE = "release-drift";

/**
 * Periodic drift checks through the job queue's scheduler: pg-boss runs a cron entry once
 * per period across all instances, so N instances do not check N times.
 */
export async function startDriftSchedule(): Promise<{ stop(): Promise<void> }> {
  const state = queueState();
  if (!state) throw new Error("the job queue must start before the drift schedule");
  const { boss } = state;
  await boss.createQueue(QUEUE, { name: QUEUE, policy: "singleton", retryLimit: 0, expireInSeconds: 600 });
  await boss.schedule(QUEUE, env().ARCHIPELAGO_DRIFT_CRON);
  await boss.work(QUEUE, { batchSize: 1, pollingIntervalSeconds: 5 }, async () => {
    try {
      await checkAllReleases();
    } catch (error) {
      logger.warn({ errorName: error instanceof Error ? error.name : "unknown" }, "drift check round failed");
    }
  });
  return { stop: async () => boss.offWork(QUEUE).catch(() => undefined) };
}
