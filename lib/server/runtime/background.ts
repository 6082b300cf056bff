import "server-only";
import { bootstrapAdminFromEnv } from "@/lib/server/auth/first-admin";
import { startHealthMonitor } from "@/lib/server/clusters/health-monitor";
import { env } from "@/lib/server/config/env";
import { listenForKeyringChanges } from "@/lib/server/db/keyring-signal";
import { startCollectors, stopCollectorsInProcess } from "@/lib/server/inventory/collectors/supervisor";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { logger } from "@/lib/server/log/logger";
import { startDriftSchedule } from "@/lib/server/releases/drift-schedule";
import { executor } from "@/lib/server/releases/hub-push";
import { startRolloutWorker } from "@/lib/server/rollouts/worker";
import { startNotificationWorker } from "@/lib/server/notifications/worker";
import { startMaintenance } from "./maintenance";

/**
 * Everything that runs beside request handling, started once per server process from
 * Next's instrumentation hook (so it shares the server bundle's one Prisma client) and
 * stopped by the start script on SIGINT/SIGTERM.
 */
export interface Background {
  stop(): Promise<void>;
}

const globalForBackground = globalThis as unknown as { archipelagoBackground?: Promise<Background> };

export function startBackground(): Promise<Background> {
  globalForBackground.archipelagoBackground ??= (async () => {
    const config = env();
    const databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) throw new Error("DATABASE_URL is not set: start Archipelago through `npm start`");
    const admin = await bootstrapAdminFromEnv({
      email: config.ARCHIPELAGO_ADMIN_EMAIL,
      password: config.ARCHIPELAGO_ADMIN_PASSWORD,
    });
    if (admin) logger.info({ email: admin.email }, "first admin created from ARCHIPELAGO_ADMIN_EMAIL");
    // A master-key rotation run beside this server (keys:rotate) is picked up at once.
    const keyringListener = listenForKeyringChanges(databaseUrl);
    const stopMaintenance = startMaintenance();
    const health = startHealthMonitor(databaseUrl);
    // The composition root: the engine gets its cluster transport here (today the hub pushes).
    const worker = await startRolloutWorker(databaseUrl, executor);
    // On the rollout worker's job queue (started just above).
    const notifications = await startNotificationWorker();
    const drift = await startDriftSchedule();
    // This instance's share of the fleet index's collectors (one per cluster and kind fleet-wide).
    const collectors = startCollectors();
    logger.info(
      { instance: collectors.id },
      "background work started: health checks, rollout workers, notifications, drift checks, inventory collectors",
    );
    return {
      stop: async () => {
        stopMaintenance();
        await drift.stop();
        await notifications.stop();
        await worker.stop();
        await health.stop();
        await keyringListener.stop();
        await stopCollectorsInProcess();
        forgetAllTransports();
      },
    };
  })();
  return globalForBackground.archipelagoBackground;
}
